package dev.bulwark.lifecycle;

import dev.bulwark.lifecycle.internal.HostRecordsStore;
import dev.bulwark.lifecycle.spi.HostRecords;
import dev.bulwark.lifecycle.spi.KeyShredder;
import dev.bulwark.lifecycle.spi.PurgeBatchRequest;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.lifecycle.spi.SoftDeletion;
import dev.bulwark.lifecycle.spi.SoftDeletion.Restoration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * Bulwark's lifecycle store: the host's records together with the state Bulwark owns
 * (soft-delete operations, legal holds, deletion evidence, the purge watermark). This is not a
 * host SPI: Bulwark provides the implementations, {@link #inMemory(HostRecords)} over a host's
 * {@link HostRecords} (the small SPI a host implements for records outside PostgreSQL) and
 * {@link dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore} over the host's own PostgreSQL tables.
 * {@link Lifecycle} and {@link PurgeRunner} drive it; a host reads it (find, operation, holds,
 * evidence) and hands it to {@link Lifecycle#builder}. {@code
 * dev.bulwark.testkit.lifecycle.LifecycleStoreContract} states the behaviour every implementation has.
 *
 * <p>Contract: every method is atomic and thread-safe across all the nodes sharing the store.
 * Methods never return null. A method that throws leaves the store unchanged. In particular:
 * <ul>
 *   <li>{@link #purgeBatch} checks the holds <em>inside</em> its transaction, and {@link
 *       #placeHold} is serialised against running batches, so a hold placed while a purge runs
 *       either commits before the batch looks at holds (the batch skips the held rows) or waits
 *       until the batch commits (the rows it deleted were not held when it decided).
 *   <li>Two {@link #purgeBatch} calls at once never process the same row.
 *   <li>A batch's deletion and its evidence commit together.
 * </ul>
 * Instants are stored at microsecond precision; callers pass instants truncated to micros.
 */
public interface LifecycleStore {

  /**
   * Bulwark's store over the host's records, keeping Bulwark's own state (operations, holds,
   * evidence, watermark) in memory: for a single node, for tests, and for hosts whose records
   * live in memory or outside PostgreSQL. The state does not survive a restart.
   */
  static LifecycleStore inMemory(HostRecords records) {
    return new HostRecordsStore(records);
  }

  /** The data classes this store holds records for. */
  Set<DataClass> dataClasses();

  /** The record's current state, or empty when it does not exist (never existed, or purged). */
  Optional<RecordState> find(RecordRef ref);

  /**
   * Starts a live record's retention clock: sets its eligible time (when mapped) and deadline,
   * unless it already has a deadline (deadlines are fixed once set).
   *
   * @return true when the deadline was set, false when the record already had one
   * @throws dev.bulwark.lifecycle.UnknownRecordException when the record does not exist
   */
  boolean markEligible(RecordRef ref, Instant eligibleAt, Instant purgeAfter) throws UnknownRecordException;

  /**
   * Live records of the class that have an eligible time and a deadline, ordered by id, after
   * {@code afterId} (exclusive) when present: the input of a re-evaluation.
   */
  List<RecordState> scheduled(DataClass dataClass, Optional<String> afterId, int limit);

  /**
   * Moves a live record's deadline from {@code expected} to {@code purgeAfter}; does nothing
   * (returns false) when the current deadline is not {@code expected} or the record is deleted.
   */
  boolean moveDeadline(RecordRef ref, Instant expected, Instant purgeAfter);

  /**
   * Soft deletes every record of the operation, all or nothing. Each record's purge date becomes
   * the earlier of the entry's {@code purgeAfter} and the record's current deadline; its current
   * deadline is kept as {@code priorPurgeAfter}.
   *
   * @param operation the operation; its entries' {@code priorPurgeAfter} are ignored
   * @return the operation as stored
   * @throws dev.bulwark.lifecycle.UnknownRecordException when a record does not exist or is
   *     already deleted (nothing is changed)
   * @throws IllegalArgumentException when the operation id is already used
   */
  SoftDeletion softDelete(SoftDeletion operation) throws UnknownRecordException;

  /** The operation with this id, restored or not. */
  Optional<SoftDeletion> operation(OperationId id);

  /**
   * Restores exactly the records the operation deleted: clears their deletion marks and puts
   * back their prior deadlines, all or nothing.
   *
   * @throws dev.bulwark.lifecycle.UnknownOperationException when there is no such operation
   * @throws dev.bulwark.lifecycle.OperationNotRestorableException when it was restored already
   *     or any of its records was purged or anonymised (nothing is changed)
   */
  SoftDeletion restore(OperationId id, Restoration restoration)
      throws UnknownOperationException, OperationNotRestorableException;

  /** Up to {@code limit} records of the class due at {@code now} and not held, earliest first. */
  List<RecordState> due(DataClass dataClass, Instant now, int limit);

  /** How many records of the class are due at {@code now} and not held. */
  long countDue(DataClass dataClass, Instant now);

  /** How many records of the class (live or deleted) have this subject. */
  long countForSubject(DataClass dataClass, String subject);

  /**
   * One bounded transaction: locks up to {@code limit} due (or, for an erasure, subject's) rows
   * that no active hold covers, skipping rows another purger has locked; applies the policy's
   * action; stores the evidence (pending delivery); commits.
   *
   * @return the evidence, or empty when nothing was due
   */
  Optional<DeletionEvidence> purgeBatch(PurgeBatchRequest request);

  /**
   * Stores a hold, serialised against running purge batches (see the class contract).
   *
   * @throws IllegalArgumentException when the hold id is already used
   */
  void placeHold(LegalHold hold);

  /** Records the release of an active hold; empty when there is no such active hold. */
  Optional<LegalHold> releaseHold(UUID id, LegalHold.Release release);

  /** The hold with this id, active or released. */
  Optional<LegalHold> hold(UUID id);

  /** All active holds. */
  List<LegalHold> activeHolds();

  /**
   * The active holds that block this record's purge. A store that cannot tell a record's
   * subject or tenant (the column is not mapped) MUST treat every subject or tenant hold as
   * covering it: holds fail closed.
   */
  List<LegalHold> holdsCovering(RecordState record);

  /** Stores evidence that did not come from a purge batch (a key destruction), pending delivery. */
  void appendEvidence(DeletionEvidence evidence);

  /** Up to {@code limit} stored evidence records not yet marked delivered, oldest first. */
  List<DeletionEvidence> pendingEvidence(int limit);

  /** Marks evidence delivered to the listener. */
  void markDelivered(Collection<UUID> evidenceIds);

  /**
   * Every evidence record that names the subject (by {@link DeletionEvidence#hashSubject}),
   * with its items narrowed to that subject's, oldest first.
   */
  List<DeletionEvidence> evidenceForSubject(String subjectHash);

  /** The purge watermark as it is now. */
  Watermark watermark();

  /**
   * Moves the purge watermark to {@code startedAt} when that is later, and returns the
   * watermark as it was before, with the row count of the last completed run.
   */
  Watermark advanceWatermark(Instant startedAt);

  /** Records the number of rows a completed run purged, for the volume safety rail. */
  void recordRunCompleted(long rows);

  /**
   * The record's id as the store keeps it (a database column's canonical text form: {@code 7} for
   * a bigint {@code 007}, lower case for a UUID), or empty when no record of the class could have
   * this id (it does not parse as the column's type). Record holds are placed on this form.
   */
  default Optional<String> canonicalId(RecordRef ref) {
    return Optional.of(ref.id());
  }

  /**
   * Every spelling under which the store keeps this subject: its canonical form in each mapped
   * subject column. Empty when no mapped subject column can hold the value.
   */
  default Set<String> subjectForms(String subject) {
    return Set.of(subject);
  }

  /**
   * The active holds that block erasing this subject or destroying its key: subject holds on the
   * subject (compared as the columns' typed values) and tenant holds on the tenant.
   */
  default List<LegalHold> holdsOnSubject(String subject, Optional<String> tenant) {
    return activeHolds().stream().filter(h ->
        (h.scope() == LegalHold.Scope.SUBJECT && h.target().equals(subject))
            || (h.scope() == LegalHold.Scope.TENANT && tenant.map(h.target()::equals).orElse(false))).toList();
  }

  /**
   * Destroys a subject's key through {@code shredder} and stores the {@code KEY_SHREDDED}
   * evidence, under the same discipline as a purge batch: serialised against {@link #placeHold},
   * with the holds (subject, tenant) and the subject's remaining records checked at that moment.
   * A hold placed at any point before the key is destroyed wins.
   *
   * <p>The default refuses: a store that cannot serialise this against hold placement must not
   * destroy keys.
   *
   * @return the stored evidence (pending delivery)
   * @throws LegalHoldException when a hold covers the subject or tenant, or records of the
   *     subject remain; the key is not destroyed
   * @throws LifecycleStoreException when the shredder fails (nothing is recorded)
   */
  default DeletionEvidence destroyKey(String subject, Optional<String> tenant, KeyShredder shredder, Attribution by,
      String reference, Instant at) throws LegalHoldException {
    throw new UnsupportedOperationException("this store cannot destroy keys under its hold discipline");
  }

  /**
   * Moves the purge watermark to {@code to}, earlier or later (an operator's recovery from a
   * wrong clock), and stores {@code record} (kind {@code WATERMARK_RESET}) in the same step.
   *
   * @throws UnsupportedOperationException when the store cannot (the default)
   */
  default void resetWatermark(Instant to, DeletionEvidence record) {
    throw new UnsupportedOperationException("this store cannot reset its purge watermark");
  }

  /** How many records of the class the store holds (live or deleted), when it can tell cheaply. */
  default OptionalLong size(DataClass dataClass) {
    return OptionalLong.empty();
  }

  /** The store's own notion of now (a database's clock), when it has one. */
  default Optional<Instant> referenceTime() {
    return Optional.empty();
  }

  /**
   * The purge watermark.
   *
   * @param lastRunStartedAt the latest start time of any run, empty before the first
   * @param lastCompletedRows rows purged by the last completed run, empty before the first
   */
  record Watermark(Optional<Instant> lastRunStartedAt, Optional<Long> lastCompletedRows) {}
}
