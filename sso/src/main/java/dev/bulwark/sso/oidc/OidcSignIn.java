package dev.bulwark.sso.oidc;

import dev.bulwark.sso.VerifiedIdentity;
import java.util.Objects;

/**
 * A completed OIDC sign-in: the verified identity, and the ID token kept only to ask the provider
 * to end the session ({@code id_token_hint}). The token is not shown by {@code toString}.
 */
public final class OidcSignIn {
  private final VerifiedIdentity identity;
  private final String idToken;

  OidcSignIn(VerifiedIdentity identity, String idToken) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.idToken = Objects.requireNonNull(idToken, "idToken");
  }

  public VerifiedIdentity identity() {
    return identity;
  }

  /** The raw ID token (for RP-initiated logout). */
  public String revealIdToken() {
    return idToken;
  }

  @Override
  public String toString() {
    return "OidcSignIn[" + identity.issuer() + ", " + identity.subject() + ", token redacted]";
  }
}
