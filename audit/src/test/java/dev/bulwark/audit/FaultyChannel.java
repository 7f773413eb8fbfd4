package dev.bulwark.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/** A FileChannel that, while {@code full} is set, writes half of a buffer and then fails like a full disk. */
final class FaultyChannel extends FileChannel {
  private final FileChannel d;
  private final AtomicBoolean full;

  FaultyChannel(FileChannel delegate, AtomicBoolean full) {
    this.d = delegate;
    this.full = full;
  }

  private int maybeFail(ByteBuffer src, long position) throws IOException {
    if (full.get()) {
      ByteBuffer half = src.duplicate();
      half.limit(src.position() + Math.max(1, src.remaining() / 2));
      d.write(half, position);
      throw new IOException("No space left on device");
    }
    return d.write(src, position);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return d.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return d.read(dsts, offset, length);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    return maybeFail(src, d.position());
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    throw new IOException("not used");
  }

  @Override
  public long position() throws IOException {
    return d.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    d.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return d.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    d.truncate(size);
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    d.force(metaData);
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return d.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    return d.transferFrom(src, position, count);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return d.read(dst, position);
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    return maybeFail(src, position);
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return d.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return d.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return d.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    d.close();
  }
}
