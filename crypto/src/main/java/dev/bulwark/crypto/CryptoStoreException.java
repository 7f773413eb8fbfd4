package dev.bulwark.crypto;

import dev.bulwark.common.StoreException;

/**
 * The infrastructure behind a keyring store failed: a file could not be read, locked or written,
 * the database did not answer, the remote master key (a KMS) could not seal a record. Unchecked,
 * always with the cause when there is one; a write that throws this left the store unchanged, and
 * retrying later may succeed.
 *
 * <p>An outage is never reported as a {@link java.security.GeneralSecurityException}: that type is
 * kept for cryptographic verdicts (a stored keyring that does not authenticate is a {@link
 * KeyringIntegrityException}), so an outage never looks like tampering.
 */
public final class CryptoStoreException extends StoreException {

  private static final long serialVersionUID = 1L;

  public CryptoStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public CryptoStoreException(String message) {
    super(message);
  }
}
