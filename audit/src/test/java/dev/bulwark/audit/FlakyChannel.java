package dev.bulwark.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A FileChannel that fails like a sick disk on a schedule shared by every channel of one store:
 * every {@code writeEvery}-th positional write stores only part of its buffer and then throws
 * ENOSPC, every {@code forceEvery}-th fsync throws EIO (0 turns a fault off), and truncation
 * throws while {@code failTruncate} is set.
 */
final class FlakyChannel extends ForwardingChannel {

  /** The shared schedule and what it did. */
  static final class Plan {
    volatile int writeEvery;
    volatile int forceEvery;
    volatile boolean failTruncate;
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger forces = new AtomicInteger();
    final AtomicInteger failedWrites = new AtomicInteger();
    final AtomicInteger failedForces = new AtomicInteger();

    FileChannel wrap(FileChannel ch) {
      return new FlakyChannel(ch, this);
    }
  }

  private final Plan plan;

  private FlakyChannel(FileChannel delegate, Plan plan) {
    super(delegate);
    this.plan = plan;
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    int every = plan.writeEvery;
    if (every > 0 && plan.writes.incrementAndGet() % every == 0) {
      plan.failedWrites.incrementAndGet();
      ByteBuffer part = src.duplicate();
      part.limit(src.position() + src.remaining() / 3);
      d.write(part, position);
      throw new IOException("No space left on device");
    }
    return d.write(src, position);
  }

  @Override
  public void force(boolean metaData) throws IOException {
    int every = plan.forceEvery;
    if (every > 0 && plan.forces.incrementAndGet() % every == 0) {
      plan.failedForces.incrementAndGet();
      throw new IOException("Input/output error");
    }
    d.force(metaData);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    throw new IOException("the store writes at explicit positions only");
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    throw new IOException("the store writes at explicit positions only");
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    if (plan.failTruncate) {
      throw new IOException("Input/output error");
    }
    d.truncate(size);
    return this;
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    throw new IOException("the store writes at explicit positions only");
  }
}
