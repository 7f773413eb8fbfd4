package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
/** What the verifier found, with how serious it is. */
public enum FindingCode {
  /** An event's bytes, chain hash or MAC do not match (changed, forged, or undecodable). */
  MODIFIED(Level.ERROR),
  /** Sequence numbers are missing in the middle of the log (deletion). */
  SEQUENCE_GAP(Level.ERROR),
  /** Events are stored out of sequence order (swapped or moved). */
  REORDERED(Level.ERROR),
  /** Two different events claim the same sequence number. */
  FORK(Level.ERROR),
  /** The store holds fewer events than a checkpoint it also holds, or an anchor, says it had. */
  TRUNCATED(Level.ERROR),
  /** The store is an older copy of the log, or diverges from an anchored checkpoint. */
  ROLLBACK(Level.ERROR),
  /** The oldest events are gone without a matching, signed prune receipt. */
  HEAD_PRUNED_WITHOUT_RECEIPT(Level.ERROR),
  /**
   * More events follow the newest signed checkpoint than the writer can leave unsigned at its
   * checkpoint cadence, or a log that holds events has no signed checkpoint (or, in a file store,
   * no checkpoint file): checkpoints were deleted, so the events after them are unprotected and
   * may have been rewritten.
   */
  CHECKPOINTS_MISSING(Level.ERROR),
  /** A checkpoint's signatures do not verify with any trusted key. */
  BAD_CHECKPOINT_SIGNATURE(Level.ERROR),
  /** Two checkpoints contradict each other (same size, different roots; minindex going back). */
  INCONSISTENT_CHECKPOINTS(Level.ERROR),
  /** A checkpoint note cannot be parsed (truncated, foreign or damaged). */
  MALFORMED_CHECKPOINT(Level.ERROR),
  /**
   * A store file the log depends on cannot be parsed (a damaged or forged prune base), or a
   * record's sequence number is outside what a log can hold.
   */
  MALFORMED(Level.ERROR),
  /** Files or bytes in the store that are not part of the log. */
  FOREIGN_DATA(Level.WARNING),
  /** An unrecovered torn tail (a crash; the writer recovers it on open). */
  TORN_TAIL(Level.WARNING),
  /** Events after the last signed checkpoint: not yet protected against truncation. */
  UNSEALED_TAIL(Level.WARNING),
  /**
   * Bytes the writer cut from a torn tail on open, kept in a quarantine file in the store
   * instead of being deleted. A crash explains them; if a signed checkpoint covered events there,
   * a TRUNCATED finding says so as well.
   */
  QUARANTINED(Level.WARNING),
  /**
   * An operator explicitly accepted stored events that no signed checkpoint covered (an event in
   * the log says who, why, and which range, root and chain head): what happened to those events
   * before is not provable.
   */
  HISTORY_ACCEPTED(Level.WARNING),
  /** The writer recovered a crash-torn tail (logged in the log itself). */
  TORN_TAIL_RECOVERED(Level.INFO),
  /** Retention removed the oldest events behind a valid, signed prune receipt. */
  PRUNED_WITH_RECEIPT(Level.INFO);

  /** How serious a finding is: only ERROR makes a log not intact. */
  public enum Level { INFO, WARNING, ERROR }

  private final Level level;

  FindingCode(Level level) {
    this.level = level;
  }

  public Level level() {
    return level;
  }
}
