package dev.bulwark.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/** A FileChannel that, while {@code full} is set, writes half of a buffer and then fails like a full disk. */
final class FaultyChannel extends ForwardingChannel {
  private final AtomicBoolean full;

  FaultyChannel(FileChannel delegate, AtomicBoolean full) {
    super(delegate);
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
  public int write(ByteBuffer src) throws IOException {
    return maybeFail(src, d.position());
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    throw new IOException("not used");
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    return maybeFail(src, position);
  }
}
