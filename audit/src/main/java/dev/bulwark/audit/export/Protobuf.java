package dev.bulwark.audit.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The few pieces of the protocol-buffers wire format the OTLP sink needs, written here: a writer of
 * varints, fixed64, strings and nested messages into a {@link Utf8Out}, and a strict reader that
 * walks fields and skips those it does not know. Not thread-safe.
 */
final class Protobuf {
  private Protobuf() {}

  static final int VARINT = 0;
  static final int I64 = 1;
  static final int LEN = 2;
  static final int I32 = 5;

  static void tag(Utf8Out out, int field, int wireType) {
    varint(out, ((long) field << 3) | wireType);
  }

  static void varint(Utf8Out out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  static void fixed64(Utf8Out out, int field, long v) {
    tag(out, field, I64);
    for (int i = 0; i < 8; i++) {
      out.write((int) (v >>> (8 * i)) & 0xff);
    }
  }

  static void uint(Utf8Out out, int field, long v) {
    tag(out, field, VARINT);
    varint(out, v);
  }

  static void string(Utf8Out out, int field, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    bytes(out, field, b, 0, b.length);
  }

  static void bytes(Utf8Out out, int field, byte[] b, int off, int len) {
    tag(out, field, LEN);
    varint(out, len);
    out.write(b, off, len);
  }

  /** Writes {@code inner}'s content as the nested message {@code field}. */
  static void message(Utf8Out out, int field, Utf8Out inner) {
    bytes(out, field, inner.array(), 0, inner.size());
  }

  /** Reads a message: field by field; every length is checked against what is left. */
  static final class Reader {
    private final byte[] b;
    private int pos;
    private final int end;
    private int wireType;

    Reader(byte[] b, int off, int len) {
      this.b = b;
      this.pos = off;
      this.end = off + len;
    }

    /** The next field number, or -1 at the end. */
    int next() throws IOException {
      if (pos == end) {
        return -1;
      }
      long key = varint();
      int field = (int) (key >>> 3);
      wireType = (int) (key & 7);
      if (field < 1 || key >>> 3 > 0x1FFFFFFF) {
        throw new IOException("not a protocol-buffers message: field number " + (key >>> 3));
      }
      return field;
    }

    int wireType() {
      return wireType;
    }

    long varint() throws IOException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw new IOException("not a protocol-buffers message: truncated varint");
        }
        int x = b[pos++];
        v |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
      throw new IOException("not a protocol-buffers message: varint longer than 10 bytes");
    }

    /** A length-delimited field's bytes as a nested reader. */
    Reader nested() throws IOException {
      expect(LEN);
      int len = length();
      Reader r = new Reader(b, pos, len);
      pos += len;
      return r;
    }

    String string() throws IOException {
      expect(LEN);
      int len = length();
      String s = new String(b, pos, len, StandardCharsets.UTF_8);
      pos += len;
      return s;
    }

    long uint() throws IOException {
      expect(VARINT);
      return varint();
    }

    void skip() throws IOException {
      switch (wireType) {
        case VARINT -> varint();
        case I64 -> advance(8);
        case LEN -> advance(length());
        case I32 -> advance(4);
        default -> throw new IOException("not a protocol-buffers message: wire type " + wireType);
      }
    }

    private int length() throws IOException {
      long len = varint();
      if (len < 0 || len > end - pos) {
        throw new IOException("not a protocol-buffers message: length " + len + " beyond the message");
      }
      return (int) len;
    }

    private void advance(int n) throws IOException {
      if (n > end - pos) {
        throw new IOException("not a protocol-buffers message: truncated field");
      }
      pos += n;
    }

    private void expect(int type) throws IOException {
      if (wireType != type) {
        throw new IOException("not the expected message: wire type " + wireType + " where " + type + " belongs");
      }
    }
  }
}
