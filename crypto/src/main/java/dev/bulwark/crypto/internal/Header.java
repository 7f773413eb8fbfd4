package dev.bulwark.crypto.internal;

import dev.bulwark.crypto.CiphertextFormatException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The self-describing ciphertext header (format version 1). Layout, big-endian:
 *
 * <pre>
 *  size  field
 *  1     format version (0x01)
 *  1     suite (0x01 one-shot, 0x02 streaming)
 *  1     keyring id length n (1..64)
 *  n     keyring id (ASCII [A-Za-z0-9._:-])
 *  4     KEK version (1..2^31-1)
 *  2     wrapped DEK length w (1..4096)
 *  w     wrapped DEK
 *  32    message salt (random; HKDF salt)
 *  32    key commitment
 *  4     segment size (streaming suite only)
 * </pre>
 *
 * Immutable apart from the arrays it was built from, which callers must not change.
 */
public final class Header {
  public static final int FORMAT_VERSION = 1;
  public static final int SUITE_ONE_SHOT = 1;
  public static final int SUITE_STREAMING = 2;
  public static final int SALT_BYTES = 32;
  public static final int COMMITMENT_BYTES = 32;
  public static final int MAX_WRAPPED = 4096;
  public static final int MIN_SEGMENT = 64;
  public static final int MAX_SEGMENT = 8 << 20;

  private final int suite;
  private final String keyringId;
  private final int kekVersion;
  private final byte[] wrappedDek;
  private final byte[] salt;
  private final byte[] commitment;
  private final int segmentSize;

  public Header(int suite, String keyringId, int kekVersion, byte[] wrappedDek, byte[] salt,
      byte[] commitment, int segmentSize) {
    this.suite = suite;
    this.keyringId = keyringId;
    this.kekVersion = kekVersion;
    this.wrappedDek = wrappedDek;
    this.salt = salt;
    this.commitment = commitment;
    this.segmentSize = segmentSize;
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

  public byte[] salt() {
    return salt;
  }

  public byte[] commitment() {
    return commitment;
  }

  public int segmentSize() {
    return segmentSize;
  }

  /** The same header pointing at another KEK version and wrapped DEK (rewrap). */
  public Header withKek(int version, byte[] wrapped) {
    return new Header(suite, keyringId, version, wrapped, salt, commitment, segmentSize);
  }

  /** The encoded length. */
  public int length() {
    return 3 + keyringId.length() + 4 + 2 + wrappedDek.length + SALT_BYTES + COMMITMENT_BYTES
        + (suite == SUITE_STREAMING ? 4 : 0);
  }

  /** Encodes into {@code out} at {@code off}; returns the offset after the header. */
  public int writeTo(byte[] out, int off) {
    byte[] id = keyringId.getBytes(StandardCharsets.US_ASCII);
    out[off++] = (byte) FORMAT_VERSION;
    out[off++] = (byte) suite;
    out[off++] = (byte) id.length;
    System.arraycopy(id, 0, out, off, id.length);
    off += id.length;
    off = putInt(out, off, kekVersion);
    out[off++] = (byte) (wrappedDek.length >>> 8);
    out[off++] = (byte) wrappedDek.length;
    System.arraycopy(wrappedDek, 0, out, off, wrappedDek.length);
    off += wrappedDek.length;
    System.arraycopy(salt, 0, out, off, SALT_BYTES);
    off += SALT_BYTES;
    System.arraycopy(commitment, 0, out, off, COMMITMENT_BYTES);
    off += COMMITMENT_BYTES;
    if (suite == SUITE_STREAMING) {
      off = putInt(out, off, segmentSize);
    }
    return off;
  }

  /** The encoded header. */
  public byte[] encode() {
    byte[] out = new byte[length()];
    writeTo(out, 0);
    return out;
  }

  /**
   * Associated data for wrapping the DEK: binds the wrapped key to format, keyring and KEK
   * version. It excludes the salt and suite so that one cached DEK serves many messages.
   */
  public static byte[] wrapAad(String keyringId, int kekVersion) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(32);
    byte[] label = "bulwark-dek-v1".getBytes(StandardCharsets.US_ASCII);
    out.write(label, 0, label.length);
    out.write(keyringId.length());
    byte[] id = keyringId.getBytes(StandardCharsets.US_ASCII);
    out.write(id, 0, id.length);
    out.write(kekVersion >>> 24);
    out.write(kekVersion >>> 16);
    out.write(kekVersion >>> 8);
    out.write(kekVersion);
    return out.toByteArray();
  }

  private static int putInt(byte[] out, int off, int v) {
    out[off] = (byte) (v >>> 24);
    out[off + 1] = (byte) (v >>> 16);
    out[off + 2] = (byte) (v >>> 8);
    out[off + 3] = (byte) v;
    return off + 4;
  }

  /** Parses the header at the start of {@code in}. Never throws anything but the typed exception. */
  public static Header parse(byte[] in) throws CiphertextFormatException {
    if (in == null) {
      throw new CiphertextFormatException("ciphertext is null");
    }
    try {
      return read(new java.io.ByteArrayInputStream(in));
    } catch (IOException e) {
      throw new CiphertextFormatException("ciphertext header is unreadable");
    }
  }

  /** Reads exactly one header from {@code in}, consuming only its bytes. */
  public static Header read(InputStream in) throws IOException, CiphertextFormatException {
    try {
      int format = readByte(in);
      if (format != FORMAT_VERSION) {
        throw new CiphertextFormatException("unknown ciphertext format version " + format);
      }
      int suite = readByte(in);
      if (suite != SUITE_ONE_SHOT && suite != SUITE_STREAMING) {
        throw new CiphertextFormatException("unknown algorithm suite " + suite);
      }
      int idLen = readByte(in);
      if (idLen < 1 || idLen > 64) {
        throw new CiphertextFormatException("keyring id length out of range");
      }
      byte[] id = readFully(in, idLen);
      for (byte b : id) {
        char c = (char) (b & 0xff);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok) {
          throw new CiphertextFormatException("keyring id has an invalid character");
        }
      }
      int version = readInt(in);
      if (version < 1) {
        throw new CiphertextFormatException("KEK version out of range");
      }
      int wLen = (readByte(in) << 8) | readByte(in);
      if (wLen < 1 || wLen > MAX_WRAPPED) {
        throw new CiphertextFormatException("wrapped key length out of range");
      }
      byte[] wrapped = readFully(in, wLen);
      byte[] salt = readFully(in, SALT_BYTES);
      byte[] commitment = readFully(in, COMMITMENT_BYTES);
      int segmentSize = 0;
      if (suite == SUITE_STREAMING) {
        segmentSize = readInt(in);
        if (segmentSize < MIN_SEGMENT || segmentSize > MAX_SEGMENT) {
          throw new CiphertextFormatException("segment size out of range");
        }
      }
      return new Header(suite, new String(id, StandardCharsets.US_ASCII), version, wrapped, salt,
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
