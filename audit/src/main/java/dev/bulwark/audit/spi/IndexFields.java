package dev.bulwark.audit.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * The fields of an event that an indexing store keeps beside its canonical bytes, so queries by
 * time, actor, tenant, action and correlation id need not scan
 * ({@link dev.bulwark.audit.CanonicalEncoding#indexFields}). The canonical bytes stay the record;
 * these are only an index.
 *
 * @param seq sequence number inside the event
 * @param recordedAt when the writer recorded it (microseconds)
 * @param occurredAt when it happened (microseconds)
 * @param actorId the actor's id
 * @param action the action's name
 * @param tenant tenant, or null
 * @param correlationId correlation id, or null
 */
public record IndexFields(long seq, Instant recordedAt, Instant occurredAt, String actorId, String action, String tenant,
    String correlationId) {
  public IndexFields {
    Objects.requireNonNull(recordedAt, "recordedAt");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(actorId, "actorId");
    Objects.requireNonNull(action, "action");
  }
}
