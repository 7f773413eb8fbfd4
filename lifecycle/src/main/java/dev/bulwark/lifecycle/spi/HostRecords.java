package dev.bulwark.lifecycle.spi;

import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.InMemoryHostRecords;
import dev.bulwark.lifecycle.RecordRef;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The host's own records, as the lifecycle module sees them: what a host implements when its
 * records do not live in PostgreSQL tables a {@link dev.bulwark.lifecycle.jdbc.TableMapping} can
 * describe. It covers only the host's tables: find a record, list due or a subject's records,
 * compare-and-set a record's lifecycle columns, and delete a batch. The state Bulwark owns
 * (soft-delete operations, legal holds, deletion evidence, the purge watermark) is not here:
 * Bulwark keeps it in its own stores ({@link dev.bulwark.lifecycle.LifecycleStore#inMemory}).
 * {@link InMemoryHostRecords} is the in-memory implementation; run {@code
 * dev.bulwark.testkit.lifecycle.HostRecordsContract} against any other.
 *
 * <p>Contract: thread-safe; methods MUST NOT return null. Bulwark serialises its own calls
 * (each lifecycle step runs under the store's lock), but the host may change its records
 * meanwhile: {@link #replace} is a compare-and-set so that a concurrent change is noticed, never
 * overwritten. Instants are compared at microsecond precision (Bulwark passes instants truncated
 * to micros).
 */
public interface HostRecords {

  /** The in-memory records of these classes (the host adds records with {@link InMemoryHostRecords#insert}). */
  static InMemoryHostRecords inMemory(DataClass... dataClasses) {
    return InMemoryHostRecords.of(dataClasses);
  }

  /** The data classes the host keeps records of; not empty, fixed for the object's life. */
  Set<DataClass> dataClasses();

  /** The record's lifecycle state, or empty when it does not exist (never existed, or deleted by a purge). */
  Optional<RecordState> find(RecordRef ref);

  /**
   * Up to {@code limit} records of the class (live or soft deleted) whose deadline is at or
   * before {@code now} and that {@code accept} accepts, earliest deadline first, then by id.
   * Records {@code accept} refuses (held ones) are skipped, not counted against the limit.
   */
  List<RecordState> due(DataClass dataClass, Instant now, Predicate<RecordState> accept, int limit);

  /**
   * Up to {@code limit} records of the class whose subject is {@code subject} and that {@code
   * accept} accepts, whatever their deadline, ordered by id.
   */
  List<RecordState> ofSubject(DataClass dataClass, String subject, Predicate<RecordState> accept, int limit);

  /**
   * Up to {@code limit} live records of the class that have both an eligible time and a deadline,
   * ordered by id, after {@code afterId} (exclusive) when present: the input of a re-evaluation.
   */
  List<RecordState> scheduled(DataClass dataClass, Optional<String> afterId, int limit);

  /**
   * Sets the record's lifecycle columns (eligible time, deletion time, deadline, operation) to
   * {@code next}'s when the record exists and its state equals {@code expected}; changes nothing
   * otherwise. {@code next} names the same record and keeps its subject and tenant.
   *
   * @return true when the record was changed
   */
  boolean replace(RecordState expected, RecordState next);

  /**
   * Deletes these records of one class (a purge batch), all or nothing. Records already gone are
   * skipped.
   */
  void delete(Collection<RecordRef> batch);

  /** How many records of the class the host keeps (live or deleted), when it can tell cheaply. */
  default OptionalLong size(DataClass dataClass) {
    return OptionalLong.empty();
  }
}
