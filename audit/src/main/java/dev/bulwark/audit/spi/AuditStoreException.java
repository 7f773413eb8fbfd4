package dev.bulwark.audit.spi;

import dev.bulwark.audit.AuditException;

/**
 * A store could not do what was asked (I/O error, full disk, lost connection, damaged tail).
 * Whatever the store held before the call is still intact.
 */
public class AuditStoreException extends AuditException {
  private static final long serialVersionUID = 1L;

  public AuditStoreException(String message) {
    super(message);
  }

  public AuditStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
