package dev.bulwark.crypto.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;

/**
 * Segmented AES-256-GCM encryption. Segment i is encrypted with IV = nonce prefix (7 bytes,
 * derived) ‖ i (4 bytes) ‖ last flag (1 byte); the final segment (possibly empty) has the flag
 * set, so truncation and extension fail. Holds one plaintext and one ciphertext segment.
 */
public final class StreamingEncryptingOutputStream extends OutputStream {
  private final OutputStream out;
  private final byte[] key;
  private final byte[] prefix;
  private final byte[] buffer;
  private final byte[] ctBuffer;
  private int filled;
  private long segment;
  private boolean closed;

  public StreamingEncryptingOutputStream(OutputStream out, Primitives.Derived d, int segmentSize) {
    this.out = out;
    this.key = d.key;
    this.prefix = d.iv;
    this.buffer = new byte[segmentSize];
    this.ctBuffer = new byte[segmentSize + Primitives.TAG_BYTES];
  }

  static byte[] segmentIv(byte[] prefix, long segment, boolean last) {
    byte[] iv = new byte[Primitives.IV_BYTES];
    System.arraycopy(prefix, 0, iv, 0, 7);
    iv[7] = (byte) (segment >>> 24);
    iv[8] = (byte) (segment >>> 16);
    iv[9] = (byte) (segment >>> 8);
    iv[10] = (byte) segment;
    iv[11] = (byte) (last ? 1 : 0);
    return iv;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("stream is closed");
    }
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    while (len > 0) {
      if (filled == buffer.length) {
        flushSegment(false);
      }
      // A whole segment with more bytes after it in this call is not the last one: encrypt it
      // straight from the caller's array instead of copying it into the buffer first.
      while (filled == 0 && len > buffer.length) {
        encryptSegment(b, off, buffer.length, false);
        off += buffer.length;
        len -= buffer.length;
      }
      int n = Math.min(len, buffer.length - filled);
      System.arraycopy(b, off, buffer, filled, n);
      filled += n;
      off += n;
      len -= n;
    }
  }

  private void flushSegment(boolean last) throws IOException {
    encryptSegment(buffer, 0, filled, last);
    filled = 0;
  }

  private void encryptSegment(byte[] in, int off, int len, boolean last) throws IOException {
    if (segment > 0xFFFF_FFFFL) {
      throw new IOException("stream exceeds 2^32 segments");
    }
    try {
      int n = Primitives.gcmEncrypt(key, segmentIv(prefix, segment, last), null, in, off, len, ctBuffer, 0);
      out.write(ctBuffer, 0, n);
    } catch (GeneralSecurityException e) {
      throw new IOException("segment encryption failed", e);
    }
    segment++;
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      flushSegment(true);
    } finally {
      java.util.Arrays.fill(buffer, (byte) 0);
      out.close();
    }
  }
}
