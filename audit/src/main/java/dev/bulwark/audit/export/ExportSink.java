package dev.bulwark.audit.export;

import java.io.IOException;
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
   * One rendered event.
   *
   * @param event the event
   * @param text its rendering in the exporter's format (one line, no terminator)
   */
  record Line(ExportedEvent event, String text) {
    public Line {
      Objects.requireNonNull(event, "event");
      Objects.requireNonNull(text, "text");
    }
  }
}
