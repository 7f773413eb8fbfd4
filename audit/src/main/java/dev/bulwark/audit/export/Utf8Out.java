package dev.bulwark.audit.export;

import java.io.OutputStream;
import java.util.Arrays;

/** A growable byte buffer that is reused: the exporter renders every event of a batch into one. Not thread-safe. */
final class Utf8Out extends OutputStream {
  private byte[] buf;
  private int size;

  Utf8Out(int capacity) {
    buf = new byte[capacity];
  }

  @Override
  public void write(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  /** Appends ASCII text (each char one byte; callers pass only ASCII). */
  void ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[size + i] = (byte) s.charAt(i);
    }
    size += n;
  }

  /** Appends the standard Base64 of {@code b}, with padding. */
  void base64(byte[] b) {
    int n = 4 * ((b.length + 2) / 3);
    ensure(n);
    int i = 0;
    int o = size;
    for (; i + 3 <= b.length; i += 3) {
      int v = (b[i] & 0xff) << 16 | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff);
      buf[o++] = B64[v >>> 18];
      buf[o++] = B64[(v >>> 12) & 63];
      buf[o++] = B64[(v >>> 6) & 63];
      buf[o++] = B64[v & 63];
    }
    int rest = b.length - i;
    if (rest > 0) {
      int v = (b[i] & 0xff) << 16 | (rest == 2 ? (b[i + 1] & 0xff) << 8 : 0);
      buf[o++] = B64[v >>> 18];
      buf[o++] = B64[(v >>> 12) & 63];
      buf[o++] = rest == 2 ? B64[(v >>> 6) & 63] : (byte) '=';
      buf[o++] = '=';
    }
    size = o;
  }

  private static final byte[] B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
      .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  void reset() {
    size = 0;
  }

  int size() {
    return size;
  }

  byte[] array() {
    return buf;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }

  @Override
  public void close() {}

  @Override
  public void flush() {}
}
