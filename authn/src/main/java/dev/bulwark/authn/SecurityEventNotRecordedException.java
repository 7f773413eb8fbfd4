package dev.bulwark.authn;

/**
 * Thrown by an authentication operation when its security event could not be delivered and the
 * host asked for fail-closed auditing ({@link SecurityEventGuard.Builder#failClosed(boolean)}):
 * the operation is refused rather than completed without an audit record. A login that ends with
 * this exception has not succeeded; a session whose creation event was not recorded is deleted
 * before this is thrown.
 *
 * <p>The cause is the listener's own failure. The message names the event type only.
 */
public final class SecurityEventNotRecordedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String eventType;

  public SecurityEventNotRecordedException(String eventType, Throwable cause) {
    super("security event '" + eventType + "' could not be recorded; the operation is refused", cause);
    this.eventType = eventType;
  }

  /** The type of the event that was not recorded. */
  public String eventType() {
    return eventType;
  }
}
