package dev.bulwark.authn.webauthn;

import dev.bulwark.common.Bytes;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A registered WebAuthn credential as Bulwark stores it. {@link Bytes} is Yubico's immutable
 * byte wrapper. Nothing here is secret: the private key never leaves the authenticator.
 *
 * @param credentialId the credential id chosen by the authenticator (1-1023 bytes)
 * @param userHandle the WebAuthn user handle (random, at most 64 bytes, no personal data)
 * @param username the host's account name the handle maps to
 * @param publicKeyCose the credential public key in COSE form
 * @param signatureCount the last signature counter seen (0 for authenticators without a counter,
 *     which includes most synced passkeys)
 * @param discoverable whether the credential is a client-side discoverable credential (passkey), if
 *     the client reported it
 * @param backupEligible the BE flag at registration: true for synced (multi-device) passkeys
 * @param backedUp the BS flag as last seen
 * @param registeredAt when it was registered
 * @param lastUsedAt when it last completed an authentication
 */
public record StoredCredential(
    Bytes credentialId,
    Bytes userHandle,
    String username,
    Bytes publicKeyCose,
    long signatureCount,
    Optional<Boolean> discoverable,
    boolean backupEligible,
    boolean backedUp,
    Instant registeredAt,
    Optional<Instant> lastUsedAt) {

  public StoredCredential {
    Objects.requireNonNull(credentialId, "credentialId");
    if (credentialId.isEmpty() || credentialId.length() > 1023) {
      throw new IllegalArgumentException("credentialId must be 1-1023 bytes");
    }
    Objects.requireNonNull(userHandle, "userHandle");
    if (userHandle.isEmpty() || userHandle.length() > 64) {
      throw new IllegalArgumentException("userHandle must be 1-64 bytes");
    }
    Objects.requireNonNull(username, "username");
    if (username.isEmpty() || username.length() > 255) {
      throw new IllegalArgumentException("username must be 1-255 characters");
    }
    Objects.requireNonNull(publicKeyCose, "publicKeyCose");
    if (publicKeyCose.isEmpty()) {
      throw new IllegalArgumentException("publicKeyCose must not be empty");
    }
    if (signatureCount < 0 || signatureCount > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("signatureCount must be an unsigned 32-bit value");
    }
    Objects.requireNonNull(discoverable, "discoverable");
    Objects.requireNonNull(registeredAt, "registeredAt");
    Objects.requireNonNull(lastUsedAt, "lastUsedAt");
  }

  /** A copy after a successful authentication. */
  public StoredCredential usedAt(long newCount, boolean newBackedUp, Instant at) {
    return new StoredCredential(credentialId, userHandle, username, publicKeyCose, newCount, discoverable,
        backupEligible, newBackedUp, registeredAt, Optional.of(at));
  }
}
