package dev.bulwark.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Non-secret key/value pairs (tenant, table, record id) that a ciphertext is bound to. They are
 * not stored in the ciphertext: the caller supplies the same context to decrypt, and any other
 * context makes decryption fail.
 *
 * <p>Keys are compared in their natural order, so the insertion order of the map does not matter.
 * Limits: at most 64 entries, keys 1..128 and values 0..1024 UTF-8 bytes.
 *
 * <p>Immutable and thread-safe; equal when the entries are equal. The canonical encoding is
 * computed once, when the context is created, so a context reused across messages costs nothing
 * per message.
 *
 * <p>Security considerations: the context is authenticated, not encrypted; never put secrets in it.
 */
public final class EncryptionContext {

  private static final EncryptionContext EMPTY = new EncryptionContext(new TreeMap<>());

  private final SortedMap<String, String> entries;
  private final byte[] canonical;

  /**
   * Validates and copies the entries.
   *
   * @param entries the pairs; copied into an unmodifiable sorted map
   */
  public EncryptionContext(SortedMap<String, String> entries) {
    if (entries == null) {
      throw new IllegalArgumentException("entries must not be null");
    }
    if (entries.size() > 64) {
      throw new IllegalArgumentException("an encryption context holds at most 64 entries");
    }
    TreeMap<String, String> copy = new TreeMap<>();
    for (Map.Entry<String, String> e : entries.entrySet()) {
      String k = e.getKey();
      String v = e.getValue();
      if (k == null || v == null) {
        throw new IllegalArgumentException("encryption context keys and values must not be null");
      }
      int kl = k.getBytes(StandardCharsets.UTF_8).length;
      if (kl == 0 || kl > 128) {
        throw new IllegalArgumentException("encryption context keys must be 1..128 UTF-8 bytes");
      }
      if (v.getBytes(StandardCharsets.UTF_8).length > 1024) {
        throw new IllegalArgumentException("encryption context values must be at most 1024 UTF-8 bytes");
      }
      copy.put(k, v);
    }
    this.entries = Collections.unmodifiableSortedMap(copy);
    this.canonical = encode(copy);
  }

  /** The pairs, sorted by key; unmodifiable. */
  public SortedMap<String, String> entries() {
    return entries;
  }

  /** The empty context. */
  public static EncryptionContext empty() {
    return EMPTY;
  }

  /** A context of the given pairs. */
  public static EncryptionContext of(Map<String, String> entries) {
    return new EncryptionContext(new TreeMap<>(entries));
  }

  /** A context of one pair. */
  public static EncryptionContext of(String key, String value) {
    return of(Map.of(key, value));
  }

  /** A context of two pairs. */
  public static EncryptionContext of(String k1, String v1, String k2, String v2) {
    return of(Map.of(k1, v1, k2, v2));
  }

  /** Returns this context with one more pair (replacing a pair with the same key). */
  public EncryptionContext with(String key, String value) {
    TreeMap<String, String> copy = new TreeMap<>(entries);
    copy.put(key, value);
    return new EncryptionContext(copy);
  }

  /**
   * The canonical encoding that is authenticated: a 2-byte count, then for each pair in key order
   * a 2-byte key length, the key, a 2-byte value length and the value (big-endian, UTF-8).
   */
  public byte[] canonicalBytes() {
    return canonical.clone();
  }

  /** The canonical encoding without a copy; callers in this package never modify it. */
  byte[] canonicalBytesShared() {
    return canonical;
  }

  private static byte[] encode(SortedMap<String, String> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 + entries.size() * 32);
    writeShort(out, entries.size());
    for (Map.Entry<String, String> e : entries.entrySet()) {
      byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
      byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
      writeShort(out, k.length);
      out.write(k, 0, k.length);
      writeShort(out, v.length);
      out.write(v, 0, v.length);
    }
    return out.toByteArray();
  }

  private static void writeShort(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncryptionContext && entries.equals(((EncryptionContext) o).entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return "EncryptionContext" + entries;
  }
}
