package dev.bulwark.authn.totp.spi;

import java.security.GeneralSecurityException;

/**
 * Encrypts TOTP seeds before they are stored and decrypts them when a code is checked. Connect it
 * to {@code bulwark-crypto}'s envelope encryption (or a KMS) with two lambdas; this module does
 * not depend on any crypto implementation.
 *
 * <pre>{@code
 * import dev.bulwark.crypto.EncryptionContext;
 * import dev.bulwark.crypto.Envelope;
 *
 * // Given: Envelope envelope
 * SeedProtector protector = SeedProtector.of(
 *     (seed, id) -> envelope.encrypt(seed, EncryptionContext.of("purpose", "totp-seed", "credential", id)),
 *     (box, id) -> envelope.decrypt(box, EncryptionContext.of("purpose", "totp-seed", "credential", id)));
 * }</pre>
 *
 * <p>Contract for implementers: MUST be thread-safe. {@code credentialId} SHOULD be bound to the
 * ciphertext as associated data, so a seed copied to another credential's row does not decrypt.
 * {@link #unprotect} MUST throw (never return garbage) when the ciphertext was altered; the
 * exception makes the code check fail, and its message must not contain key material. Neither
 * method may return null.
 */
public interface SeedProtector {

  /**
   * Stores seeds as they are. Acceptable only when the store itself is encrypted at rest and
   * access-controlled; prefer a real protector.
   */
  SeedProtector PLAINTEXT = of((seed, id) -> seed.clone(), (box, id) -> box.clone());

  /** Encrypts {@code seed} for credential {@code credentialId}. */
  byte[] protect(byte[] seed, String credentialId) throws GeneralSecurityException;

  /** Decrypts what {@link #protect} returned for the same {@code credentialId}. */
  byte[] unprotect(byte[] protectedSeed, String credentialId) throws GeneralSecurityException;

  /** One half of a protector, as a lambda. */
  @FunctionalInterface
  interface Transform {
    byte[] apply(byte[] input, String credentialId) throws GeneralSecurityException;
  }

  /** A protector from an encrypt and a decrypt function. */
  static SeedProtector of(Transform encrypt, Transform decrypt) {
    return new SeedProtector() {
      @Override
      public byte[] protect(byte[] seed, String credentialId) throws GeneralSecurityException {
        return encrypt.apply(seed, credentialId);
      }

      @Override
      public byte[] unprotect(byte[] protectedSeed, String credentialId) throws GeneralSecurityException {
        return decrypt.apply(protectedSeed, credentialId);
      }
    };
  }
}
