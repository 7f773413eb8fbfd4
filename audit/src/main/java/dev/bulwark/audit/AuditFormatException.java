package dev.bulwark.audit;

/**
 * Input that is not a well-formed Bulwark audit structure (canonical event, file frame,
 * checkpoint note, proof bundle). The message says what is wrong; it never carries key material.
 */
public final class AuditFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public AuditFormatException(String message) {
    super(message);
  }

  public AuditFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
