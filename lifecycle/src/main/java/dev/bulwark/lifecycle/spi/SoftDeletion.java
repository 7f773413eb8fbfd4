package dev.bulwark.lifecycle.spi;

import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.OperationId;
import dev.bulwark.lifecycle.RecordRef;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One soft-delete operation as the store keeps it: exactly the records it deleted (the host's
 * unit, possibly across data classes), with each record's deadline before and after, so that
 * a restore can put every record back as it was.
 *
 * @param id the operation id
 * @param by who deleted and why
 * @param at when
 * @param entries the records, in the order the host named them
 * @param restoration present once the operation was restored
 */
public record SoftDeletion(
    OperationId id, Attribution by, Instant at, List<Entry> entries, Optional<Restoration> restoration) {

  /**
   * One record of the operation.
   *
   * @param ref the record
   * @param purgeAfter the purge date set at delete time
   * @param priorPurgeAfter the record's retention deadline before the delete, restored with it
   */
  public record Entry(RecordRef ref, Instant purgeAfter, Optional<Instant> priorPurgeAfter) {
    public Entry {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(purgeAfter, "purgeAfter");
      Objects.requireNonNull(priorPurgeAfter, "priorPurgeAfter");
    }
  }

  /** The recorded restore of an operation. */
  public record Restoration(Attribution by, Instant at) {
    public Restoration {
      Objects.requireNonNull(by, "by");
      Objects.requireNonNull(at, "at");
    }
  }

  public SoftDeletion {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(by, "by");
    Objects.requireNonNull(at, "at");
    entries = List.copyOf(entries);
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("an operation deletes at least one record");
    }
    if (entries.stream().map(Entry::ref).distinct().count() != entries.size()) {
      throw new IllegalArgumentException("an operation names each record once");
    }
    Objects.requireNonNull(restoration, "restoration");
  }
}
