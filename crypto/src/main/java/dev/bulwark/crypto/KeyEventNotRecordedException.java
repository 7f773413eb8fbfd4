package dev.bulwark.crypto;

/**
 * Thrown by a keyring operation when its {@link KeyEvent} could not be recorded and the host asked
 * for fail-closed auditing ({@link KeyEventGuard.Builder#failClosed(boolean)}). The key change
 * itself is stored (a rotation or destruction is not undone); the caller learns that it is not in
 * the audit trail and must not carry on as if it were. The cause is the listener's failure.
 */
public final class KeyEventNotRecordedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String eventType;

  public KeyEventNotRecordedException(String eventType, Throwable cause) {
    super("key event '" + eventType + "' could not be recorded", cause);
    this.eventType = eventType;
  }

  /** The type of the event that was not recorded. */
  public String eventType() {
    return eventType;
  }
}
