package dev.bulwark.crypto.spi;

import java.security.GeneralSecurityException;

/**
 * One opened key-encryption key: wraps and unwraps 32-byte data keys with associated data.
 *
 * <p>Implementations MUST be thread-safe, MUST authenticate {@code associatedData} (unwrap with
 * other associated data fails), MUST throw {@link GeneralSecurityException} (never return null)
 * on failure, and MUST NOT put key material in exception messages.
 */
public interface Kek {
  /** Encrypts {@code dataKey} bound to {@code associatedData}. */
  byte[] wrap(byte[] dataKey, byte[] associatedData) throws GeneralSecurityException;

  /** Reverses {@link #wrap}; fails if anything was changed. */
  byte[] unwrap(byte[] wrappedKey, byte[] associatedData) throws GeneralSecurityException;
}
