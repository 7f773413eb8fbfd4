package dev.bulwark.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * An event as the log holds it: the application's {@link AuditEvent} plus the sequence number and
 * the time the log recorded it (microsecond precision).
 *
 * @param seq position in the log, gap-free from 0
 * @param recordedAt when the writer sealed the event
 * @param event the event
 */
public record LoggedEvent(long seq, Instant recordedAt, AuditEvent event) {
  public LoggedEvent {
    if (seq < 0) {
      throw new IllegalArgumentException("seq must be >= 0");
    }
    recordedAt = Objects.requireNonNull(recordedAt, "recordedAt").truncatedTo(ChronoUnit.MICROS);
    Objects.requireNonNull(event, "event");
  }
}
