package dev.bulwark.audit.export;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Where exported events go: a file or stream of JSON lines, a syslog receiver over TLS, or a
 * host's own transport.
 *
 * <p>{@link #deliver} is called by one thread at a time (the exporter's), with events in
 * ascending sequence order. It returns normally only when the whole batch was handed over as far
 * as the transport can tell (written and flushed; for a file sink, forced to disk when asked);
 * it throws {@link IOException} otherwise, and the exporter then sends the same batch again later
 * (at least once: a receiver may see an event twice, always with the same event id and the same
 * text). Implementations MUST NOT return null and need not be thread-safe.
 */
public interface ExportSink extends AutoCloseable {

  /** Delivers {@code batch} in order, or throws. */
  void deliver(List<Line> batch) throws IOException;

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
