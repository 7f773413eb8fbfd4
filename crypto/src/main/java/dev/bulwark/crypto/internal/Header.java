package dev.bulwark.crypto.internal;

import dev.bulwark.crypto.CiphertextFormatException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The self-describing ciphertext header. Layout, big-endian:
 *
 * <pre>
 *  size  field
 *  1     format version: 0x03 (one-shot suite only), 0x02 (both suites), 0x01 (both suites)
 *  1     suite (0x01 one-shot, 0x02 streaming)
 *  1     keyring id length n (1..64)
 *  n     keyring id (ASCII [A-Za-z0-9._:-])
 *  4     KEK version (1..2^31-1)
 *  2     wrapped DEK length w (1..4096)
 *  w     wrapped DEK
 *  12    format 3: the message's random AES-GCM nonce
 *  32    formats 1 and 2: the message's random HKDF salt
 *  32    key commitment
 *  4     segment size (streaming suite only)
 * </pre>
 *
 * New one-shot ciphertexts are written in format 3, new streams in format 2; format 1 and 2
 * one-shot ciphertexts are still read (see {@link Primitives} for how each format derives its
 * keys). Immutable apart from the arrays it was built from, which callers must not change.
 */
public final class Header {
  /** The first format, still read (and kept by rewrap). */
  public static final int FORMAT_V1 = 1;
  /** The format new streams are written in; its one-shot ciphertexts are still read. */
  public static final int FORMAT_V2 = 2;
  /** The format new one-shot ciphertexts are written in (one-shot suite only). */
  public static final int FORMAT_V3 = 3;
  public static final int SUITE_ONE_SHOT = 1;
  public static final int SUITE_STREAMING = 2;
  public static final int SALT_BYTES = 32;
  public static final int NONCE_BYTES = Primitives.IV_BYTES;
  public static final int COMMITMENT_BYTES = 32;
  public static final int MAX_WRAPPED = 4096;
  public static final int MIN_SEGMENT = 64;
  public static final int MAX_SEGMENT = 8 << 20;

  private static final byte[] WRAP_LABEL = "bulwark-dek-v1".getBytes(StandardCharsets.US_ASCII);

  private final int version;
  private final int suite;
  private final String keyringId;
  private final int kekVersion;
  private final byte[] wrappedDek;
  private final byte[] perMessage;
  private final byte[] commitment;
  private final int segmentSize;

  /**
   * A header; {@code perMessage} is the salt (formats 1 and 2, 32 bytes) or the nonce (format 3,
   * 12 bytes).
   */
  public Header(int version, int suite, String keyringId, int kekVersion, byte[] wrappedDek, byte[] perMessage,
      byte[] commitment, int segmentSize) {
    if (perMessage.length != perMessageBytes(version)) {
      throw new IllegalArgumentException("format " + version + " takes " + perMessageBytes(version)
          + " random bytes per message");
    }
    this.version = version;
    this.suite = suite;
    this.keyringId = keyringId;
    this.kekVersion = kekVersion;
    this.wrappedDek = wrappedDek;
    this.perMessage = perMessage;
    this.commitment = commitment;
    this.segmentSize = segmentSize;
  }

  /** Bytes of per-message randomness in a header of this format: a nonce in 3, a salt before. */
  public static int perMessageBytes(int version) {
    return version == FORMAT_V3 ? NONCE_BYTES : SALT_BYTES;
  }

  /** The format version: 1, 2 or 3. */
  public int version() {
    return version;
  }

  public int suite() {
    return suite;
  }

  public String keyringId() {
    return keyringId;
  }

  public int kekVersion() {
    return kekVersion;
  }

  public byte[] wrappedDek() {
    return wrappedDek;
  }

  /** The message's HKDF salt (formats 1 and 2). */
  public byte[] salt() {
    if (version == FORMAT_V3) {
      throw new IllegalStateException("format 3 has a nonce, not a salt");
    }
    return perMessage;
  }

  /** The message's AES-GCM nonce (format 3). */
  public byte[] nonce() {
    if (version != FORMAT_V3) {
      throw new IllegalStateException("only format 3 has a nonce");
    }
    return perMessage;
  }

  public byte[] commitment() {
    return commitment;
  }

  public int segmentSize() {
    return segmentSize;
  }

  /** The same header pointing at another KEK version and wrapped DEK (rewrap). */
  public Header withKek(int version, byte[] wrapped) {
    return new Header(this.version, suite, keyringId, version, wrapped, perMessage, commitment, segmentSize);
  }

  /** The encoded length. */
  public int length() {
    return 3 + keyringId.length() + 4 + 2 + wrappedDek.length + perMessage.length + COMMITMENT_BYTES
        + (suite == SUITE_STREAMING ? 4 : 0);
  }

  /** Encodes into {@code out} at {@code off}; returns the offset after the header. */
  public int writeTo(byte[] out, int off) {
    int n = keyringId.length();
    out[off++] = (byte) version;
    out[off++] = (byte) suite;
    out[off++] = (byte) n;
    for (int i = 0; i < n; i++) {
      out[off++] = (byte) keyringId.charAt(i); // validated ASCII
    }
    off = putInt(out, off, kekVersion);
    out[off++] = (byte) (wrappedDek.length >>> 8);
    out[off++] = (byte) wrappedDek.length;
    System.arraycopy(wrappedDek, 0, out, off, wrappedDek.length);
    off += wrappedDek.length;
    System.arraycopy(perMessage, 0, out, off, perMessage.length);
    off += perMessage.length;
    System.arraycopy(commitment, 0, out, off, COMMITMENT_BYTES);
    off += COMMITMENT_BYTES;
    if (suite == SUITE_STREAMING) {
      off = putInt(out, off, segmentSize);
    }
    return off;
  }

  /**
   * The bytes of a format 3 one-shot header up to and including the wrapped DEK; the nonce and
   * commitment follow. Constant for one data key, so encryption with a cached data key copies it
   * instead of re-encoding.
   */
  public static byte[] encodeOneShotPrefix(String keyringId, int kekVersion, byte[] wrappedDek) {
    Header h = new Header(FORMAT_V3, SUITE_ONE_SHOT, keyringId, kekVersion, wrappedDek, new byte[NONCE_BYTES],
        new byte[COMMITMENT_BYTES], 0);
    return Arrays.copyOf(h.encode(), 9 + keyringId.length() + wrappedDek.length);
  }

  /** The encoded header. */
  public byte[] encode() {
    byte[] out = new byte[length()];
    writeTo(out, 0);
    return out;
  }

  /**
   * Associated data for wrapping the DEK (all formats): binds the wrapped key to keyring and KEK
   * version. It excludes everything per message so that one cached DEK serves many messages.
   */
  public static byte[] wrapAad(String keyringId, int kekVersion) {
    int n = keyringId.length();
    byte[] out = new byte[WRAP_LABEL.length + 1 + n + 4];
    System.arraycopy(WRAP_LABEL, 0, out, 0, WRAP_LABEL.length);
    int off = WRAP_LABEL.length;
    out[off++] = (byte) n;
    for (int i = 0; i < n; i++) {
      out[off++] = (byte) keyringId.charAt(i);
    }
    putInt(out, off, kekVersion);
    return out;
  }

  private static int putInt(byte[] out, int off, int v) {
    out[off] = (byte) (v >>> 24);
    out[off + 1] = (byte) (v >>> 16);
    out[off + 2] = (byte) (v >>> 8);
    out[off + 3] = (byte) v;
    return off + 4;
  }

  /**
   * Parses the header at the start of {@code in} (the rest is payload). Never throws anything but
   * the typed exception; validates exactly as {@link #read} does.
   */
  public static Header parse(byte[] in) throws CiphertextFormatException {
    if (in == null) {
      throw new CiphertextFormatException("ciphertext is null");
    }
    int end = in.length;
    int p = 0;
    need(p, 3, end);
    int format = in[p++] & 0xff;
    checkFormat(format);
    int suite = in[p++] & 0xff;
    checkSuite(format, suite);
    int idLen = in[p++] & 0xff;
    if (idLen < 1 || idLen > 64) {
      throw new CiphertextFormatException("keyring id length out of range");
    }
    need(p, idLen, end);
    checkId(in, p, idLen);
    String id = new String(in, p, idLen, StandardCharsets.US_ASCII);
    p += idLen;
    need(p, 4, end);
    int version = getInt(in, p);
    p += 4;
    if (version < 1) {
      throw new CiphertextFormatException("KEK version out of range");
    }
    need(p, 2, end);
    int wLen = ((in[p] & 0xff) << 8) | (in[p + 1] & 0xff);
    p += 2;
    if (wLen < 1 || wLen > MAX_WRAPPED) {
      throw new CiphertextFormatException("wrapped key length out of range");
    }
    need(p, wLen, end);
    byte[] wrapped = Arrays.copyOfRange(in, p, p + wLen);
    p += wLen;
    int r = perMessageBytes(format);
    need(p, r, end);
    byte[] perMessage = Arrays.copyOfRange(in, p, p + r);
    p += r;
    need(p, COMMITMENT_BYTES, end);
    byte[] commitment = Arrays.copyOfRange(in, p, p + COMMITMENT_BYTES);
    p += COMMITMENT_BYTES;
    int segmentSize = 0;
    if (suite == SUITE_STREAMING) {
      need(p, 4, end);
      segmentSize = getInt(in, p);
      if (segmentSize < MIN_SEGMENT || segmentSize > MAX_SEGMENT) {
        throw new CiphertextFormatException("segment size out of range");
      }
    }
    return new Header(format, suite, id, version, wrapped, perMessage, commitment, segmentSize);
  }

  private static void checkFormat(int format) throws CiphertextFormatException {
    if (format != FORMAT_V1 && format != FORMAT_V2 && format != FORMAT_V3) {
      throw new CiphertextFormatException("unknown ciphertext format version " + format);
    }
  }

  private static void checkSuite(int format, int suite) throws CiphertextFormatException {
    if (suite != SUITE_ONE_SHOT && suite != SUITE_STREAMING) {
      throw new CiphertextFormatException("unknown algorithm suite " + suite);
    }
    if (format == FORMAT_V3 && suite != SUITE_ONE_SHOT) {
      throw new CiphertextFormatException("format 3 has no algorithm suite " + suite);
    }
  }

  private static void need(int pos, int n, int end) throws CiphertextFormatException {
    if (end - pos < n) {
      throw new CiphertextFormatException("ciphertext is truncated inside its header");
    }
  }

  private static int getInt(byte[] in, int p) {
    return ((in[p] & 0xff) << 24) | ((in[p + 1] & 0xff) << 16) | ((in[p + 2] & 0xff) << 8) | (in[p + 3] & 0xff);
  }

  private static void checkId(byte[] id, int off, int len) throws CiphertextFormatException {
    for (int i = off; i < off + len; i++) {
      char c = (char) (id[i] & 0xff);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == ':' || c == '-';
      if (!ok) {
        throw new CiphertextFormatException("keyring id has an invalid character");
      }
    }
  }

  /** Reads exactly one header from {@code in}, consuming only its bytes. */
  public static Header read(InputStream in) throws IOException, CiphertextFormatException {
    try {
      int format = readByte(in);
      checkFormat(format);
      int suite = readByte(in);
      checkSuite(format, suite);
      int idLen = readByte(in);
      if (idLen < 1 || idLen > 64) {
        throw new CiphertextFormatException("keyring id length out of range");
      }
      byte[] id = readFully(in, idLen);
      checkId(id, 0, idLen);
      int version = readInt(in);
      if (version < 1) {
        throw new CiphertextFormatException("KEK version out of range");
      }
      int wLen = (readByte(in) << 8) | readByte(in);
      if (wLen < 1 || wLen > MAX_WRAPPED) {
        throw new CiphertextFormatException("wrapped key length out of range");
      }
      byte[] wrapped = readFully(in, wLen);
      byte[] perMessage = readFully(in, perMessageBytes(format));
      byte[] commitment = readFully(in, COMMITMENT_BYTES);
      int segmentSize = 0;
      if (suite == SUITE_STREAMING) {
        segmentSize = readInt(in);
        if (segmentSize < MIN_SEGMENT || segmentSize > MAX_SEGMENT) {
          throw new CiphertextFormatException("segment size out of range");
        }
      }
      return new Header(format, suite, new String(id, StandardCharsets.US_ASCII), version, wrapped, perMessage,
          commitment, segmentSize);
    } catch (EOFException e) {
      throw new CiphertextFormatException("ciphertext is truncated inside its header");
    }
  }

  private static int readByte(InputStream in) throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException();
    }
    return b;
  }

  private static int readInt(InputStream in) throws IOException {
    return (readByte(in) << 24) | (readByte(in) << 16) | (readByte(in) << 8) | readByte(in);
  }

  private static byte[] readFully(InputStream in, int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new EOFException();
    }
    return b;
  }
}
