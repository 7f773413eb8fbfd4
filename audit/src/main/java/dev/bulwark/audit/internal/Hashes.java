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

  /**
   * The constant start of every chain-hash input for one log:
   * {@code "bulwark-audit-chain-v1\0" || u16 len(origin) || origin}.
   */
  public static byte[] chainPrefix(byte[] originUtf8) {
    byte[] p = new byte[CHAIN_TAG.length + 2 + originUtf8.length];
    System.arraycopy(CHAIN_TAG, 0, p, 0, CHAIN_TAG.length);
    p[CHAIN_TAG.length] = (byte) (originUtf8.length >>> 8);
    p[CHAIN_TAG.length + 1] = (byte) originUtf8.length;
    System.arraycopy(originUtf8, 0, p, CHAIN_TAG.length + 2, originUtf8.length);
    return p;
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  /**
   * Whether two 32-byte values are equal, in time that does not depend on where they differ
   * (as {@link MessageDigest#isEqual}, four words at a time). Values of another length are
   * compared with {@link MessageDigest#isEqual}.
   */
  public static boolean equal(byte[] a, byte[] b) {
    if (a.length != SIZE || b.length != SIZE) {
      return MessageDigest.isEqual(a, b);
    }
    long d = ((long) LONGS.get(a, 0) ^ (long) LONGS.get(b, 0)) | ((long) LONGS.get(a, 8) ^ (long) LONGS.get(b, 8))
        | ((long) LONGS.get(a, 16) ^ (long) LONGS.get(b, 16)) | ((long) LONGS.get(a, 24) ^ (long) LONGS.get(b, 24));
    return d == 0;
  }

  /**
   * Leaf and chain hashes for one log with one digest and one scratch buffer, so the hot paths
   * (the writer, the verifier's workers) neither look up thread-locals nor build the constant
   * prefix per event. Computes exactly what {@link #leaf} and {@link #chain} compute. Not
   * thread-safe: one per thread (or per lock).
   */
  public static final class Hasher {
    /** Data this long or longer is hashed in two updates rather than copied (rare: events are small). */
    private static final int MAX_SCRATCH = 16 * 1024;
    private static final byte[] LEAF_PREFIX = {0};
    private final MessageDigest md = newSha256();
    /** {@code 0x00 || data} of the last leaf hashed. */
    private byte[] scratch = new byte[512];
    private final byte[] chainInput;
    private final int seqAt;

    public Hasher(byte[] originUtf8) {
      byte[] prefix = chainPrefix(originUtf8);
      this.chainInput = new byte[prefix.length + 8 + SIZE + SIZE];
      System.arraycopy(prefix, 0, chainInput, 0, prefix.length);
      this.seqAt = prefix.length;
    }

    /**
     * RFC 6962 leaf hash of {@code data[off, off + len)}. The prefix byte and the data are copied
     * into one buffer and hashed with one update: the JDK's digest takes a lone byte through a
     * slower path, and a block straddling two updates costs a separate compression call.
     */
    public byte[] leaf(byte[] data, int off, int len) {
      byte[] out = new byte[SIZE];
      leaf(data, off, len, out, 0);
      return out;
    }

    /** The leaf hash of {@code data[off, off + len)} written into {@code out} at {@code outOff}. */
    public void leaf(byte[] data, int off, int len, byte[] out, int outOff) {
      if (len < MAX_SCRATCH) {
        if (scratch.length < len + 1) {
          scratch = new byte[Math.min(MAX_SCRATCH, Math.max(2 * scratch.length, len + 1))];
        }
        scratch[0] = 0;
        System.arraycopy(data, off, scratch, 1, len);
        md.update(scratch, 0, len + 1);
      } else {
        md.update(LEAF_PREFIX, 0, 1);
        md.update(data, off, len);
      }
      try {
        md.digest(out, outOff, SIZE);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The chain hash of event {@code seq} after {@code previous}, with leaf hash {@code leaf}. */
    public byte[] chain(long seq, byte[] previous, byte[] leaf) {
      byte[] out = new byte[SIZE];
      chain(seq, previous, 0, leaf, 0, out, 0);
      return out;
    }

    /** The chain hash written into {@code out} at {@code outOff}. */
    public void chain(long seq, byte[] previous, int prevOff, byte[] leaf, int leafOff, byte[] out, int outOff) {
      byte[] in = chainInput;
      int p = seqAt;
      for (int s = 56; s >= 0; s -= 8) {
        in[p++] = (byte) (seq >>> s);
      }
      System.arraycopy(previous, prevOff, in, p, SIZE);
      System.arraycopy(leaf, leafOff, in, p + SIZE, SIZE);
      md.update(in, 0, in.length);
      try {
        md.digest(out, outOff, SIZE);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
