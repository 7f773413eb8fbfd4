package dev.bulwark.audit.spi;

import dev.bulwark.audit.AuditStoreException;
import java.util.List;

/**
 * The optional capability of an {@link AuditStore} to keep its events in segments: contiguous
 * runs the writer seals, that a legal hold can keep, and that retention removes from the oldest
 * end behind a new {@link PruneBase}. {@link dev.bulwark.audit.AuditLog#applyRetention()},
 * {@link dev.bulwark.audit.AuditLog#setLegalHold} and {@link dev.bulwark.audit.AuditLog#seal()}
 * need a store that implements it; the in-memory, file and JDBC stores do.
 *
 * <p>The same rules as {@link AuditStore} apply: thread-safe, never null, {@link
 * AuditStoreException} on failure with the stored records left as they were. The contract is
 * pinned by {@code dev.bulwark.testkit.audit.SegmentedAuditStoreContract}.
 */
public interface SegmentedAuditStore extends AuditStore {

  /** Segments, oldest first; the last one is the open segment unless it is sealed. */
  List<Segment> segments();

  /**
   * Seals the open segment (its last event is {@code nextSeq - 1}); later appends go to a new
   * segment starting at {@code nextSeq}. Sealing an empty segment is a no-op.
   */
  void seal(long nextSeq);

  /** Sets or releases a legal hold on the segment starting at {@code segmentFirstSeq}. */
  void setLegalHold(long segmentFirstSeq, boolean held);

  /**
   * Durably records {@code newBase}, then removes every record with {@code seq < newBase.firstSeq()}.
   * {@code newBase.firstSeq()} MUST be the first sequence number of a segment, every segment
   * before it MUST be sealed and not held; otherwise the store throws and removes nothing.
   */
  void prune(PruneBase newBase);
}
