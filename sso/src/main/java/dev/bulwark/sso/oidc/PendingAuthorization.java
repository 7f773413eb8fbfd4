package dev.bulwark.sso.oidc;

import java.net.URI;
import java.util.Objects;

/**
 * What a host keeps in the user's session between sending the browser to the provider and the
 * callback: the {@code state}, {@code nonce} and PKCE code verifier. The verifier is a secret: this
 * type has no {@code equals} and its {@code toString} redacts everything.
 */
public final class PendingAuthorization {
  private final String state;
  private final String nonce;
  private final String codeVerifier;
  private final URI redirectUri;

  /** Rebuilds a pending authorization from the values a host stored. */
  public PendingAuthorization(String state, String nonce, String codeVerifier, URI redirectUri) {
    this.state = Objects.requireNonNull(state, "state");
    this.nonce = Objects.requireNonNull(nonce, "nonce");
    this.codeVerifier = Objects.requireNonNull(codeVerifier, "codeVerifier");
    this.redirectUri = Objects.requireNonNull(redirectUri, "redirectUri");
  }

  public String state() {
    return state;
  }

  public String nonce() {
    return nonce;
  }

  /** The PKCE code verifier (secret; store it server-side or in an encrypted session). */
  public String revealCodeVerifier() {
    return codeVerifier;
  }

  public URI redirectUri() {
    return redirectUri;
  }

  @Override
  public String toString() {
    return "PendingAuthorization[redacted]";
  }
}
