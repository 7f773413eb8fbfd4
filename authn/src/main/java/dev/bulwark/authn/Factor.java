package dev.bulwark.authn;

/** The kinds of authentication factor Bulwark verifies. */
public enum Factor {
  /** A memorised secret, hashed with Argon2id. */
  PASSWORD(false),
  /** A time-based one-time password (RFC 6238). */
  TOTP(false),
  /** A single-use recovery code. */
  RECOVERY_CODE(false),
  /** A WebAuthn/FIDO2 credential: a security key or a passkey. Bound to the origin. */
  WEBAUTHN(true),
  /** An assertion from a federated identity provider (OIDC ID token). */
  FEDERATED(false);

  private final boolean phishingResistant;

  Factor(boolean phishingResistant) {
    this.phishingResistant = phishingResistant;
  }

  /** True when the factor is bound to the relying party's origin (NIST 800-63B §3.2.5). */
  public boolean phishingResistant() {
    return phishingResistant;
  }
}
