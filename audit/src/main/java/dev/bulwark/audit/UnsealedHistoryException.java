package dev.bulwark.audit;

/**
 * The store holds more events after its last signed checkpoint than a crash can leave unsigned
 * (or holds events and no signed checkpoint at all): checkpoints were lost or deleted, and the
 * events may have been rewritten since. The writer refuses to sign them until an operator
 * accepts them explicitly with {@link AuditLog.Builder#acceptUnsealedHistory} (the CLI's
 * {@code bulwark audit recover}), which logs who accepted what as an event in the log.
 */
public final class UnsealedHistoryException extends AuditException {
  private static final long serialVersionUID = 1L;

  private final long sealedSize;
  private final long storedSize;

  UnsealedHistoryException(String message, long sealedSize, long storedSize) {
    super(message);
    this.sealedSize = sealedSize;
    this.storedSize = storedSize;
  }

  /** Size of the newest checkpoint signed by this log's keys, or -1 when there is none. */
  public long sealedSize() {
    return sealedSize;
  }

  /** Number of events the store holds (its next sequence number). */
  public long storedSize() {
    return storedSize;
  }
}
