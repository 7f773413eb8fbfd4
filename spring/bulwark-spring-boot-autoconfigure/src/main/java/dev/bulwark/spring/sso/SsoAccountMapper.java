package dev.bulwark.spring.sso;

import dev.bulwark.sso.VerifiedIdentity;
import java.util.Optional;

/**
 * Turns an identity the identity provider vouched for into a local account: link it to an
 * existing account, create one on first sign-in, or refuse. The host defines this bean; without
 * one every single sign-on is refused ({@link #REFUSE_ALL}), so switching SSO on by properties
 * never lets anyone in by accident.
 *
 * <p>Link accounts by {@code identity.issuer()} together with {@code identity.subject()} (a
 * subject is unique only per issuer), never by an attribute the user can change at the identity
 * provider (an e-mail address, a display name) unless the provider guarantees it.
 *
 * <p>Implementations MUST be thread-safe. An exception thrown here refuses the sign-in (reason
 * {@code ACCOUNT_ERROR}); it never signs anyone in.
 */
@FunctionalInterface
public interface SsoAccountMapper {

  /**
   * The local account for {@code identity}, or empty to refuse the sign-in (reason {@code
   * ACCOUNT_REFUSED}).
   *
   * @param registrationId the {@code bulwark.sso.saml.<id>} or {@code bulwark.sso.oidc.<id>} the
   *     identity came through
   */
  Optional<SsoAccount> map(String registrationId, VerifiedIdentity identity);

  /**
   * The local account already linked to ({@code issuer}, {@code subject}), without creating one.
   * Used when the identity provider asks to end a subject's sessions (SAML logout it initiated).
   * The default knows none, so such a request ends no session and the identity provider is told so.
   */
  default Optional<String> linkedAccount(String registrationId, String issuer, String subject) {
    return Optional.empty();
  }

  /** Refuses every identity (the default until the host defines its own mapper). */
  SsoAccountMapper REFUSE_ALL = (registrationId, identity) -> Optional.empty();
}
