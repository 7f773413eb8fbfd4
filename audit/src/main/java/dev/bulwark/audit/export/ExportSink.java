package dev.bulwark.audit.export;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Where exported events go: a file or stream of JSON lines, a syslog receiver over TLS, or a
 * host's own transport.
 *
 * <p>{@link #deliver} is called by one thread at a time (the exporter's), with events in
 * ascending sequence order. It throws {@link IOException} when the batch may not have arrived;
 * the exporter then sends everything since its last committed position again (at least once: a
 * receiver may see an event twice, always with the same event id and the same text).
 *
 * <p>A transport without acknowledgements (syslog over TLS) returns {@code false}: the batch is
 * written but not known to be received. The exporter commits its cursor past such batches only
 * after {@link #confirm()} returned normally. Implementations need not be thread-safe.
 */
public interface ExportSink extends AutoCloseable {

  /**
   * Delivers {@code batch} in order.
   *
   * @return true if the batch (and everything delivered before it) is known to be received
   *     (a file forced to disk, a stream flushed); false if it was written but is not confirmed yet
   * @throws IOException if it may not have arrived
   */
  boolean deliver(List<Line> batch) throws IOException;

  /**
   * Makes sure everything delivered so far was received, or throws. The default does nothing
   * (for sinks whose {@link #deliver} returns true).
   */
  default void confirm() throws IOException {}

  @Override
  default void close() throws IOException {}

  /**
   * One rendered event: its text as UTF-8 bytes (what the exporter renders, without an
   * intermediate {@code String}), decoded to a {@code String} only if someone asks for
   * {@link #text()}. Immutable.
   */
  final class Line {
    private final ExportedEvent event;
    private final byte[] utf8;
    private volatile String text;

    /** A line of {@code text} (one line, no terminator). */
    public Line(ExportedEvent event, String text) {
      this.event = Objects.requireNonNull(event, "event");
      this.text = Objects.requireNonNull(text, "text");
      this.utf8 = text.getBytes(StandardCharsets.UTF_8);
    }

    private Line(ExportedEvent event, byte[] utf8) {
      this.event = event;
      this.utf8 = utf8;
    }

    /** A line over {@code utf8}, which the caller hands over (never changes afterwards). */
    static Line ofUtf8(ExportedEvent event, byte[] utf8) {
      return new Line(Objects.requireNonNull(event, "event"), Objects.requireNonNull(utf8, "utf8"));
    }

    /** The event. */
    public ExportedEvent event() {
      return event;
    }

    /** The rendering in the exporter's format (one line, no terminator). */
    public String text() {
      String t = text;
      if (t == null) {
        t = new String(utf8, StandardCharsets.UTF_8);
        text = t;
      }
      return t;
    }

    /** The length of the rendering in UTF-8 bytes. */
    public int utf8Length() {
      return utf8.length;
    }

    /** A copy of the rendering in UTF-8. */
    public byte[] utf8() {
      return utf8.clone();
    }

    /** Writes the rendering in UTF-8 (no terminator) to {@code out}. */
    public void writeUtf8(OutputStream out) throws IOException {
      out.write(utf8);
    }

    /** Appends the UTF-8 rendering to {@code out}. */
    void copyInto(Utf8Out out) {
      out.write(utf8, 0, utf8.length);
    }

    /** Copies the UTF-8 rendering to {@code dst} at {@code offset}. */
    void copyUtf8(byte[] dst, int offset) {
      System.arraycopy(utf8, 0, dst, offset, utf8.length);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Line l && l.event.equals(event) && Arrays.equals(l.utf8, utf8);
    }

    @Override
    public int hashCode() {
      return event.hashCode() * 31 + Arrays.hashCode(utf8);
    }

    /** The event's sequence number and the length; never the contents. */
    @Override
    public String toString() {
      return "Line[seq " + event.seq() + ", " + utf8.length + " bytes]";
    }
  }
}
