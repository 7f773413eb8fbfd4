package dev.bulwark.audit.spi;

import dev.bulwark.audit.AuditQuery;
import dev.bulwark.audit.AuditStoreException;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where one audit log's records live. Stores are dumb on purpose: the writer
 * ({@link dev.bulwark.audit.AuditLog}) assigns sequence numbers and computes every hash, so the
 * in-memory, file and JDBC stores (and a host's own) have identical semantics and one verifier.
 *
 * <p>This is the core every store implements: the head, atomic appends, reads in stored order and
 * the checkpoint notes. A store that can also seal segments, hold them and remove the oldest
 * implements {@link SegmentedAuditStore}; retention and legal holds need one.
 *
 * <p>Implementations MUST be thread-safe. No method returns null. Methods throw
 * {@link AuditStoreException} (unchecked, with the cause) when the infrastructure fails, and a failed call MUST leave the stored
 * records as they were. The contract is pinned by {@code dev.bulwark.testkit.audit.AuditStoreContract}
 * (and {@code SegmentedAuditStoreContract} for segmented stores).
 */
public interface AuditStore extends AutoCloseable {

  /** The next sequence number, last chain hash and prune base. */
  StoreHead head();

  /**
   * Stores {@code batch} atomically and durably, and returns only when it is durable (after
   * fsync, after commit). The first event MUST carry {@code head().nextSeq()} and the rest must
   * follow without gaps; otherwise the store throws {@link SequenceConflictException} and stores
   * nothing. This is the fork guard across writers.
   */
  void append(List<StoredEvent> batch);

  /**
   * Streams records with {@code seq >= fromSeq} in stored order (for an untampered store,
   * ascending seq), including damaged records the store could not read. The caller closes the
   * stream.
   */
  Stream<StoredEvent> read(long fromSeq);

  /** Durably keeps a signed checkpoint note (text). */
  void putCheckpoint(String note);

  /** Checkpoint notes in the order they were put, oldest first; unreadable ones as they are. */
  List<String> checkpoints();

  /**
   * What the store repaired when it opened (a crash-torn tail), so the writer can log it as an
   * event. Empty unless something was repaired.
   */
  default List<String> recoveries() {
    return List.of();
  }

  /**
   * Candidate records for a query, a superset of the matches (the writer filters exactly).
   * The default scans everything; indexed stores narrow it down.
   */
  default Stream<StoredEvent> query(AuditQuery query) {
    return read(head().base().firstSeq());
  }

  @Override
  void close();
}
