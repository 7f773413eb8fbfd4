package dev.bulwark.audit;

/**
 * An audit operation failed: the store could not make an append durable, a checkpoint could not
 * be signed, the log is damaged and refuses to append. The event in question was <em>not</em>
 * acknowledged; the stored log is left as it was.
 */
public class AuditException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AuditException(String message) {
    super(message);
  }

  public AuditException(String message, Throwable cause) {
    super(message, cause);
  }
}
