package dev.bulwark.spring.sso;

/**
 * Why a single sign-on was refused by the starter itself, after or before the protocol checks of
 * {@code bulwark-sso} (whose own reasons are {@link dev.bulwark.sso.RefusalReason}). Both kinds
 * appear as the {@code reason} of an {@code authn_login_fail} security event; the browser sees the
 * same generic page for every one of them.
 */
public enum SsoRefusal {
  /**
   * The browser did not bring back the sealed state of the request this application sent (no
   * cookie, expired, altered, sealed under another key, or for another registration or flow).
   */
  STATE_INVALID,
  /** The {@link SsoAccountMapper} refused the identity. */
  ACCOUNT_REFUSED,
  /** The {@link SsoAccountMapper} failed; nobody is signed in. */
  ACCOUNT_ERROR,
  /** The identity provider's metadata or discovery document could not be loaded. */
  PROVIDER_UNAVAILABLE,
  /** The Bulwark session could not be created (for example the concurrent-session limit). */
  SESSION_REFUSED,
  /** A request to an SSO endpoint with the wrong method or without the expected parameters. */
  BAD_REQUEST
}
