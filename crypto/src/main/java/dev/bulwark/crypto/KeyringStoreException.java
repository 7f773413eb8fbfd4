package dev.bulwark.crypto;

import java.security.GeneralSecurityException;

/** A keyring store could not be read or written, or its content is corrupt. */
public final class KeyringStoreException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  /** With a message. */
  public KeyringStoreException(String message) {
    super(message);
  }

  /** With a cause. */
  public KeyringStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
