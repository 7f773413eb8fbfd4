package dev.bulwark.crypto;

import java.security.GeneralSecurityException;

/**
 * The KEK a ciphertext or an operation needs cannot be used: unknown keyring or version, disabled,
 * destroyed, below the minimum decryptable version, or the scope was shredded.
 */
public class KeyUnavailableException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  /** With a message naming the keyring id and version (never key material). */
  public KeyUnavailableException(String message) {
    super(message);
  }

  /** With a cause (for example a failing KEK provider). */
  public KeyUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
