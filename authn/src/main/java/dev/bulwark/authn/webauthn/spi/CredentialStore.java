package dev.bulwark.authn.webauthn.spi;

import dev.bulwark.common.Bytes;
import dev.bulwark.authn.webauthn.StoredCredential;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Where WebAuthn credentials live. The first five methods are the lookups Yubico's
 * {@code CredentialRepository} needs; the last three are the writes Bulwark makes after a
 * ceremony. Bulwark ships {@code InMemoryCredentialStore} and {@code JdbcCredentialStore}; run
 * {@code dev.bulwark.testkit.authn.webauthn.CredentialStoreContract} against your own.
 *
 * <p>Contract: thread-safe; MUST NOT return null (empty {@code Optional}/set instead); a username
 * maps to one user handle and back. Exceptions propagate and fail the ceremony.
 */
public interface CredentialStore {

  /** The credentials registered for {@code username} (to fill {@code allowCredentials}/{@code excludeCredentials}). */
  Set<StoredCredential> forUsername(String username);

  /** The user handle of {@code username}, if it has registered a credential. */
  Optional<Bytes> userHandleFor(String username);

  /** The username behind {@code userHandle} (username-less passkey login). */
  Optional<String> usernameFor(Bytes userHandle);

  /** The credential with {@code credentialId} belonging to {@code userHandle}. */
  Optional<StoredCredential> find(Bytes credentialId, Bytes userHandle);

  /** Every credential with {@code credentialId}, whoever owns it (Yubico uses it to refuse duplicates). */
  Set<StoredCredential> findAll(Bytes credentialId);

  /**
   * Stores a newly registered credential.
   *
   * @throws IllegalArgumentException if a credential with the same id exists (nothing changes)
   */
  void save(StoredCredential credential);

  /**
   * Records a successful authentication: the new signature counter, backup state and time.
   * Returns false if the credential no longer exists.
   */
  boolean updateUsage(Bytes credentialId, long signatureCount, boolean backedUp, Instant usedAt);

  /** Removes a credential. Returns false if it did not exist. */
  boolean delete(Bytes credentialId);

  /** An in-process store for one application node (the same as {@code new InMemoryCredentialStore()}). */
  static CredentialStore inMemory() {
    return new dev.bulwark.authn.webauthn.InMemoryCredentialStore();
  }
}
