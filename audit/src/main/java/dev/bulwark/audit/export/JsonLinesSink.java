package dev.bulwark.audit.export;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
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
  private final StringBuilder buffer = new StringBuilder(64 * 1024);

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
    buffer.setLength(0);
    for (Line l : batch) {
      buffer.append(l.text()).append('\n');
    }
    byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
    if (channel != null) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      if (force) {
        channel.force(false);
      }
    } else {
      stream.write(bytes);
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
