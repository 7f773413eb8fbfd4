package dev.bulwark.audit;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable byte string (hashes, canonical event bytes, MAC tags). The accessor returns a
 * copy, so a value handed out can never change what a record or a store holds.
 *
 * <p>Thread-safe (immutable). Not for secrets: {@link #toString()} prints the bytes in hex.
 */
public final class Bytes {

  private static final Bytes EMPTY = new Bytes(new byte[0]);
  private final byte[] value;

  private Bytes(byte[] value) {
    this.value = value;
  }

  /** A copy of {@code value}. */
  public static Bytes of(byte[] value) {
    Objects.requireNonNull(value, "value");
    return value.length == 0 ? EMPTY : new Bytes(value.clone());
  }

  /** The empty byte string. */
  public static Bytes empty() {
    return EMPTY;
  }

  /** Takes ownership of {@code value} without copying; internal callers only. */
  static Bytes wrap(byte[] value) {
    return new Bytes(value);
  }

  /**
   * Decodes canonical standard base64: with the padding, no line breaks, and zero padding bits.
   * Any other spelling of the same bytes (a missing or extra {@code =}, stray bits in the last
   * character) is rejected, so one value has exactly one text form and an edited text never
   * decodes to the signed bytes.
   *
   * @throws IllegalArgumentException if {@code base64} is not the canonical encoding of some bytes
   */
  public static Bytes fromBase64(String base64) {
    Objects.requireNonNull(base64, "base64");
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not valid base64", e);
    }
    if (!Base64.getEncoder().encodeToString(decoded).equals(base64)) {
      throw new IllegalArgumentException("not canonical base64 (padding or stray padding bits)");
    }
    return new Bytes(decoded);
  }

  /** A copy of the bytes. */
  public byte[] toByteArray() {
    return value.clone();
  }

  public int length() {
    return value.length;
  }

  public boolean isEmpty() {
    return value.length == 0;
  }

  public byte get(int index) {
    return value[index];
  }

  public String base64() {
    return Base64.getEncoder().encodeToString(value);
  }

  public String hex() {
    return HexFormat.of().formatHex(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes && Arrays.equals(value, ((Bytes) o).value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return value.length <= 64 ? hex() : hex().substring(0, 64) + "...(" + value.length + " bytes)";
  }

  /** Direct access for this package's hot paths (hashing); never exposed. */
  byte[] unsafeArray() {
    return value;
  }
}
