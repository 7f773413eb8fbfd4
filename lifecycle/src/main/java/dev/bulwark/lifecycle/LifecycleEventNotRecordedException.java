package dev.bulwark.lifecycle;

/**
 * A {@link LifecycleEvent} its listener did not take, as reported by a {@link LifecycleEventGuard}
 * (which has already counted it and called the host's fallback). When the guard fails closed, the
 * lifecycle operation that emitted the event throws this: a purge run stops before it deletes
 * more, evidence stays pending and is delivered again. Changes already committed (a soft delete,
 * a batch already purged) are not undone. The cause is the listener's failure.
 */
public final class LifecycleEventNotRecordedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String eventName;
  private final boolean refusesOperation;

  public LifecycleEventNotRecordedException(String eventName, boolean refusesOperation, Throwable cause) {
    super("lifecycle event '" + eventName + "' could not be recorded", cause);
    this.eventName = eventName;
    this.refusesOperation = refusesOperation;
  }

  /** The {@link LifecycleEvent#name()} of the event that was not recorded. */
  public String eventName() {
    return eventName;
  }

  /** True when the guard fails closed: the operation that emitted the event is refused. */
  public boolean refusesOperation() {
    return refusesOperation;
  }
}
