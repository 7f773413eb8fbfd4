package dev.bulwark.lifecycle.spi;

import dev.bulwark.lifecycle.OperationId;
import dev.bulwark.lifecycle.RecordRef;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a store knows about one record: its identity, and the lifecycle columns.
 *
 * @param ref the record
 * @param subject the data subject the record is about, when the store maps one
 * @param tenant the tenant the record belongs to, when the store maps one
 * @param eligibleAt when the record's retention clock started, when the store maps it
 * @param deletedAt when it was soft deleted; empty while live
 * @param purgeAfter its fixed deadline; empty when it has none
 * @param operation the soft-delete operation that deleted it, when the store knows it
 */
public record RecordState(
    RecordRef ref,
    Optional<String> subject,
    Optional<String> tenant,
    Optional<Instant> eligibleAt,
    Optional<Instant> deletedAt,
    Optional<Instant> purgeAfter,
    Optional<OperationId> operation) {

  public RecordState {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(eligibleAt, "eligibleAt");
    Objects.requireNonNull(deletedAt, "deletedAt");
    Objects.requireNonNull(purgeAfter, "purgeAfter");
    Objects.requireNonNull(operation, "operation");
  }

  public boolean deleted() {
    return deletedAt.isPresent();
  }
}
