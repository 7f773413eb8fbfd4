package dev.bulwark.spring.autoconfigure;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code bulwark.authn.*}: passwords, lockout, sessions and the login flow.
 *
 * @param pepper Base64 of the password pepper (32 to 64 random bytes), mixed into every Argon2id
 *     hash. Required outside a development profile.
 * @param pepperId the pepper's key id written into each hash (1-8 characters of [A-Za-z0-9._-])
 * @param store where lockout counters, sessions, TOTP credentials, pending TOTP enrolments and
 *     used TOTP steps are kept: AUTO (the DataSource if there is one, otherwise memory), MEMORY or
 *     JDBC
 * @param mfaForEveryone require a second factor for every account, not only administrators
 * @param sessionCookie the cookie that carries the Bulwark session token (Spring Security)
 * @param webauthn the WebAuthn relying party and its endpoints
 */
@ConfigurationProperties(prefix = "bulwark.authn", ignoreUnknownFields = false)
public record BulwarkAuthnProperties(
    String pepper,
    @DefaultValue("p1") String pepperId,
    @DefaultValue("auto") StoreKind store,
    @DefaultValue("false") boolean mfaForEveryone,
    @DefaultValue SessionCookie sessionCookie,
    @DefaultValue WebAuthnSettings webauthn) {

  /** How cookie attributes restrict cross-site requests: {@code Lax} or {@code Strict}. */
  public enum SameSite {
    LAX,
    STRICT
  }

  /**
   * {@code bulwark.authn.session-cookie.*}: the cookie holding the Bulwark session token (always
   * HttpOnly, Path=/, no Domain).
   *
   * @param name the cookie name; the {@code __Host-} prefix makes browsers insist on Secure,
   *     Path=/ and no Domain
   * @param secure send it over https only; {@code false} only in a development profile and with a
   *     name without the {@code __Host-}/{@code __Secure-} prefix
   * @param sameSite LAX or STRICT
   */
  public record SessionCookie(
      @DefaultValue("__Host-bulwark-session") String name,
      @DefaultValue("true") boolean secure,
      @DefaultValue("lax") SameSite sameSite) {}

  /**
   * {@code bulwark.authn.webauthn.*}: the relying party. Passkeys are configured once rp-id is set.
   *
   * @param rpId the relying party id: the site's registrable domain (or a parent of it), such as
   *     {@code example.com}; every origin must be this host or a subdomain of it
   * @param rpName the name authenticators show (default: the rp-id)
   * @param origins the exact origins pages are served from, e.g. {@code https://example.com}
   *     (http only on localhost)
   * @param registrationMaxAge how recently a second factor must have been verified for a new
   *     passkey to be registered
   * @param maxRequestSize the largest request body the WebAuthn endpoints read
   */
  public record WebAuthnSettings(
      String rpId,
      String rpName,
      @DefaultValue List<String> origins,
      @DefaultValue("5m") Duration registrationMaxAge,
      @DefaultValue("64KB") DataSize maxRequestSize) {}

  @Override
  public String toString() {
    return "BulwarkAuthnProperties[pepper=" + (pepper == null ? "unset" : "(redacted)") + ", pepperId=" + pepperId
        + ", store=" + store + ", mfaForEveryone=" + mfaForEveryone + ", sessionCookie=" + sessionCookie
        + ", webauthn=" + webauthn + "]";
  }
}
