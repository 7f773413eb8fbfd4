package dev.bulwark.crypto.internal;

import dev.bulwark.crypto.DecryptionFailedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.security.GeneralSecurityException;

/** Random-access plaintext over a streaming ciphertext; decrypts only the segment it reads from. */
public final class SeekableDecryptingChannel implements SeekableByteChannel {
  private final SeekableByteChannel ct;
  private final byte[] key;
  private final byte[] prefix;
  private final int segmentSize;
  private final long headerLength;
  private final long segments;
  private final long lastCtLength;
  private final long size;
  private final byte[] ctBuffer;
  private final byte[] plain;
  private long cachedSegment = -1;
  private int cachedLength;
  private long position;

  public SeekableDecryptingChannel(SeekableByteChannel ct, Primitives.Derived d, int segmentSize, int headerLength)
      throws IOException, GeneralSecurityException {
    this.ct = ct;
    this.key = d.key;
    this.prefix = d.iv;
    this.segmentSize = segmentSize;
    this.headerLength = headerLength;
    long full = segmentSize + (long) Primitives.TAG_BYTES;
    long payload = ct.size() - headerLength;
    if (payload < Primitives.TAG_BYTES) {
      throw new DecryptionFailedException();
    }
    this.segments = (payload + full - 1) / full;
    this.lastCtLength = payload - (segments - 1) * full;
    if (lastCtLength < Primitives.TAG_BYTES || segments > 0x1_0000_0000L) {
      throw new DecryptionFailedException();
    }
    this.size = (segments - 1) * segmentSize + lastCtLength - Primitives.TAG_BYTES;
    this.ctBuffer = new byte[(int) full];
    this.plain = new byte[segmentSize];
  }

  private void load(long seg) throws IOException {
    if (seg == cachedSegment) {
      return;
    }
    boolean last = seg == segments - 1;
    int len = (int) (last ? lastCtLength : segmentSize + (long) Primitives.TAG_BYTES);
    ct.position(headerLength + seg * (segmentSize + (long) Primitives.TAG_BYTES));
    ByteBuffer buf = ByteBuffer.wrap(ctBuffer, 0, len);
    while (buf.hasRemaining()) {
      if (ct.read(buf) < 0) {
        throw new IOException("ciphertext ended early", new DecryptionFailedException());
      }
    }
    try {
      cachedSegment = -1;
      cachedLength = Primitives.gcmDecrypt(key, StreamingEncryptingOutputStream.segmentIv(prefix, seg, last),
          null, ctBuffer, 0, len, plain, 0);
      cachedSegment = seg;
    } catch (GeneralSecurityException e) {
      throw new IOException("segment " + seg + " failed to authenticate", e);
    }
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (position >= size) {
      return -1;
    }
    int total = 0;
    while (dst.hasRemaining() && position < size) {
      long seg = position / segmentSize;
      load(seg);
      int off = (int) (position - seg * segmentSize);
      int n = Math.min(dst.remaining(), cachedLength - off);
      dst.put(plain, off, n);
      position += n;
      total += n;
    }
    return total;
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public SeekableByteChannel position(long newPosition) {
    if (newPosition < 0) {
      throw new IllegalArgumentException("position must not be negative");
    }
    position = newPosition;
    return this;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public SeekableByteChannel truncate(long newSize) {
    throw new NonWritableChannelException();
  }

  @Override
  public boolean isOpen() {
    return ct.isOpen();
  }

  @Override
  public void close() throws IOException {
    java.util.Arrays.fill(plain, (byte) 0);
    ct.close();
  }
}
