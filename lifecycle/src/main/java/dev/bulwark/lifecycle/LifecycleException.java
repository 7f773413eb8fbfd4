package dev.bulwark.lifecycle;

import java.util.Objects;

/**
 * An expected refusal of a lifecycle operation: a hold covers the records, the operation cannot
 * be restored, a record or operation does not exist, a policy forbids the change, a safety rail
 * stopped a purge run. Checked, with a {@link Reason}; when one is thrown nothing was deleted or
 * changed. A failure of the infrastructure behind the store (the database, the key store, a host
 * callback) is a {@link LifecycleStoreException} instead, which shares no base with this.
 */
public class LifecycleException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why the operation was refused. */
  public enum Reason {
    /** An active legal hold covers the records, the subject or the tenant ({@link LegalHoldException}). */
    LEGAL_HOLD,
    /** The soft-delete operation was restored already, or some of its records are gone ({@link OperationNotRestorableException}). */
    NOT_RESTORABLE,
    /** No soft-delete operation has this id ({@link UnknownOperationException}). */
    UNKNOWN_OPERATION,
    /** No such (live) record ({@link UnknownRecordException}). */
    UNKNOWN_RECORD,
    /** The policy's mode or limits forbid the change ({@link PolicyViolationException}). */
    POLICY_VIOLATION,
    /** A purge run's safety rail tripped ({@link PurgeRefusedException}). */
    PURGE_REFUSED,
    /** No active legal hold has this id. */
    HOLD_NOT_ACTIVE
  }

  private final Reason reason;

  public LifecycleException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
