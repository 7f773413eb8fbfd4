package dev.bulwark.crypto.spi;

import java.security.GeneralSecurityException;

/**
 * Where key-encryption keys live: a local master key, a PKCS#11 HSM, or a KMS through a Tink
 * {@code Aead}. A keyring asks its provider for a new KEK on every rotation and stores the
 * returned {@link KekRef}; the KEK itself stays with the provider.
 *
 * <p>Implementations MUST be thread-safe. {@link #create} MUST return a reference that
 * {@link #open} accepts on any node that shares the provider's backing key store. {@link #destroy}
 * MUST be idempotent (destroying an already destroyed KEK succeeds). None of the methods may
 * return null. Exceptions MUST NOT reveal key material; the keyring wraps them once with context.
 */
public interface KekProvider {
  /** A stable identifier written into every {@link KekRef} this provider creates. */
  String providerId();

  /** Creates a new KEK for {@code keyringId} version {@code version}. */
  KekRef create(String keyringId, int version) throws GeneralSecurityException;

  /** Opens the KEK behind {@code ref}; fails if it was destroyed or belongs to another provider. */
  Kek open(KekRef ref) throws GeneralSecurityException;

  /**
   * Destroys the KEK behind {@code ref} where the provider holds material (an HSM object). A
   * provider whose reference is the only copy of the material (local wrapping) has nothing to do:
   * dropping the reference from the keyring record destroys it.
   */
  void destroy(KekRef ref) throws GeneralSecurityException;
}
