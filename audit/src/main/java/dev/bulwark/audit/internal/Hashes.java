package dev.bulwark.audit.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 with RFC 6962 domain separation, and Bulwark's chain hash. Thread-safe. */
public final class Hashes {

  public static final int SIZE = 32;
  private static final byte[] CHAIN_TAG = "bulwark-audit-chain-v1\0".getBytes(StandardCharsets.US_ASCII);
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Hashes::newSha256);

  private Hashes() {}

  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  public static byte[] sha256(byte[] data) {
    MessageDigest md = SHA256.get();
    return md.digest(data);
  }

  /** RFC 6962 leaf hash: SHA-256(0x00 || data). */
  public static byte[] leaf(byte[] data) {
    MessageDigest md = SHA256.get();
    md.update((byte) 0);
    return md.digest(data);
  }

  /** RFC 6962 interior node: SHA-256(0x01 || left || right). */
  public static byte[] node(byte[] left, byte[] right) {
    MessageDigest md = SHA256.get();
    md.update((byte) 1);
    md.update(left);
    return md.digest(right);
  }

  /** Node hash written into {@code out} at {@code outOffset}, reading children from arrays. */
  public static void node(byte[] l, int lo, byte[] r, int ro, byte[] out, int outOffset) {
    MessageDigest md = SHA256.get();
    md.update((byte) 1);
    md.update(l, lo, SIZE);
    md.update(r, ro, SIZE);
    try {
      md.digest(out, outOffset, SIZE);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * chain_n = SHA-256("bulwark-audit-chain-v1\0" || u16 len(origin) || origin || u64 seq ||
   * chain_{n-1} || leaf_n). The first event chains from 32 zero bytes.
   */
  public static byte[] chain(byte[] originUtf8, long seq, byte[] previous, byte[] leaf) {
    MessageDigest md = SHA256.get();
    md.update(CHAIN_TAG);
    md.update((byte) (originUtf8.length >>> 8));
    md.update((byte) originUtf8.length);
    md.update(originUtf8);
    for (int s = 56; s >= 0; s -= 8) {
      md.update((byte) (seq >>> s));
    }
    md.update(previous);
    return md.digest(leaf);
  }

  public static byte[] zero() {
    return new byte[SIZE];
  }
}
