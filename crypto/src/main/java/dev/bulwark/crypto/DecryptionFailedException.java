package dev.bulwark.crypto;

import java.security.GeneralSecurityException;

/**
 * Authentication failed: the ciphertext was modified, belongs to another key, or the encryption
 * context differs. Deliberately does not say which.
 */
public final class DecryptionFailedException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  /** The single, fixed message. */
  public DecryptionFailedException() {
    super("decryption failed: the ciphertext, its key or its encryption context does not match");
  }
}
