package dev.bulwark.crypto;

import java.security.GeneralSecurityException;

/**
 * A cryptographic verdict on stored keyrings: the keyring file or row does not authenticate under
 * the master key, or what authenticated is not a well-formed keyring for this place (altered,
 * truncated, moved to another row, rolled back, a foreign file, or sealed under another master
 * key). The store never overwrites such data. A failure to reach the store is a {@link
 * CryptoStoreException} instead.
 */
public final class KeyringIntegrityException extends GeneralSecurityException {

  private static final long serialVersionUID = 1L;

  public KeyringIntegrityException(String message) {
    super(message);
  }

  public KeyringIntegrityException(String message, Throwable cause) {
    super(message, cause);
  }
}
