package dev.bulwark.authn.webauthn;

import dev.bulwark.common.Bytes;
import dev.bulwark.authn.AssuranceLevel;
import java.util.Objects;

/**
 * A successful WebAuthn authentication.
 *
 * @param username who logged in
 * @param credentialId which credential
 * @param userVerified the authenticator verified the user (PIN, biometric)
 * @param backupEligible the credential can be synced (a multi-device passkey)
 * @param backedUp it is currently synced
 * @param signatureCount the counter the authenticator reported
 * @param counterRegressed the counter did not grow (accepted because the policy is FLAG)
 * @param suggestedLevel AAL3 for a user-verified, device-bound credential; AAL2 for a user-verified
 *     synced passkey (NIST 800-63B rev. 4: syncable authenticators reach AAL2, not AAL3); AAL1
 *     without user verification (one factor: something you have)
 */
public record WebAuthnLogin(
    String username,
    Bytes credentialId,
    boolean userVerified,
    boolean backupEligible,
    boolean backedUp,
    long signatureCount,
    boolean counterRegressed,
    AssuranceLevel suggestedLevel) {
  public WebAuthnLogin {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(credentialId, "credentialId");
    Objects.requireNonNull(suggestedLevel, "suggestedLevel");
  }
}
