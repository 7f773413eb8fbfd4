package dev.bulwark.crypto.internal;

import dev.bulwark.crypto.DecryptionFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;

/** Reads and authenticates one segment at a time; see {@link StreamingEncryptingOutputStream}. */
public final class StreamingDecryptingInputStream extends InputStream {
  private final InputStream in;
  private final byte[] key;
  private final byte[] prefix;
  private final int segmentSize;
  private final byte[] ctBuffer;
  private final byte[] plain;
  private int plainLen;
  private int plainPos;
  private long segment;
  private int carry = -1;
  private boolean done;
  private IOException failure;

  public StreamingDecryptingInputStream(InputStream in, Primitives.Derived d, int segmentSize) {
    this.in = in;
    this.key = d.key;
    this.prefix = d.iv;
    this.segmentSize = segmentSize;
    this.ctBuffer = new byte[segmentSize + Primitives.TAG_BYTES];
    this.plain = new byte[segmentSize];
  }

  private boolean fill() throws IOException {
    if (failure != null) {
      throw failure;
    }
    while (plainPos == plainLen) {
      if (done) {
        return false;
      }
      int n = 0;
      if (carry >= 0) {
        ctBuffer[0] = (byte) carry;
        carry = -1;
        n = 1;
      }
      n += in.readNBytes(ctBuffer, n, ctBuffer.length - n);
      boolean last;
      if (n == ctBuffer.length) {
        int next = in.read();
        last = next < 0;
        carry = next;
      } else {
        last = true;
      }
      try {
        if (n < Primitives.TAG_BYTES || segment > 0xFFFF_FFFFL) {
          throw new DecryptionFailedException();
        }
        plainLen = Primitives.gcmDecrypt(key, StreamingEncryptingOutputStream.segmentIv(prefix, segment, last),
            null, ctBuffer, 0, n, plain, 0);
      } catch (GeneralSecurityException e) {
        failure = new IOException("streaming decryption failed: the ciphertext, its key or its "
            + "encryption context does not match, or it was truncated or extended", e);
        throw failure;
      }
      plainPos = 0;
      segment++;
      done = last;
    }
    return true;
  }

  @Override
  public int read() throws IOException {
    if (!fill()) {
      return -1;
    }
    return plain[plainPos++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, plainLen - plainPos);
    System.arraycopy(plain, plainPos, b, off, n);
    plainPos += n;
    return n;
  }

  @Override
  public void close() throws IOException {
    java.util.Arrays.fill(plain, (byte) 0);
    in.close();
  }

  @Override
  public String toString() {
    return "StreamingDecryptingInputStream[segmentSize=" + segmentSize + "]";
  }
}
