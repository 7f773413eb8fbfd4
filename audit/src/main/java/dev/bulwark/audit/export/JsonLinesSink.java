package dev.bulwark.audit.export;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;

/**
 * Writes one event per line (UTF-8, {@code \n}), the input Vector's and Filebeat's file sources
 * tail. A file sink appends and, when {@code force} is set, forces the file after each batch, so
 * a delivered batch survives a power loss; a stream sink flushes after each batch. Not
 * thread-safe (the exporter calls it from one thread).
 */
public final class JsonLinesSink implements ExportSink {

  private final FileChannel channel;
  private final OutputStream stream;
  private final boolean force;
  /** The batch's lines, each followed by a line feed: one write per batch, the array reused. */
  private byte[] buffer = new byte[64 * 1024];

  private JsonLinesSink(FileChannel channel, OutputStream stream, boolean force) {
    this.channel = channel;
    this.stream = stream;
    this.force = force;
  }

  /** Appends to {@code file} (created if missing); {@code force}: fsync each batch. */
  public static JsonLinesSink appendTo(Path file, boolean force) throws IOException {
    return new JsonLinesSink(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND), null, force);
  }

  /** Writes to {@code out} (flushed after each batch, not closed by {@link #close()}). */
  public static JsonLinesSink to(OutputStream out) {
    return new JsonLinesSink(null, Objects.requireNonNull(out, "out"), false);
  }

  @Override
  public boolean deliver(List<Line> batch) throws IOException {
    int size = 0;
    for (Line l : batch) {
      size += l.utf8Length() + 1;
    }
    if (size > buffer.length) {
      buffer = new byte[Math.max(size, buffer.length * 2)];
    }
    int at = 0;
    for (Line l : batch) {
      l.copyUtf8(buffer, at);
      at += l.utf8Length();
      buffer[at++] = '\n';
    }
    if (channel != null) {
      ByteBuffer buf = ByteBuffer.wrap(buffer, 0, at);
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      if (force) {
        channel.force(false);
      }
    } else {
      stream.write(buffer, 0, at);
      stream.flush();
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
    } else {
      stream.flush();
    }
  }
}
