package dev.bulwark.samples.notes;

import dev.bulwark.spring.sso.SsoAccount;
import dev.bulwark.spring.sso.SsoAccountMapper;
import dev.bulwark.sso.VerifiedIdentity;
import java.util.Optional;

/**
 * "Sign in with SSO" for Notes: the starter has verified the identity provider's answer (SAML or
 * OIDC); this decides which Notes account it is. The link is the IdP's {@code (issuer, subject)}
 * and nothing else: the first sign-in creates an account of its own (see
 * {@link NotesService#ssoAccount}), every later one finds it. An e-mail address or a name the IdP
 * sends is never matched against existing accounts (whoever controls that text at some IdP would
 * get the account). The session's level is the starter's: the IdP's {@code acr} /
 * {@code AuthnContextClassRef} mapped by {@code bulwark.sso.*.assurance[...]}, at most AAL2, so
 * the admin pages still ask an admin for a passkey.
 */
final class NotesSsoAccounts implements SsoAccountMapper {

  /** Longer subjects are refused (SAML and OIDC keep them far shorter: 255 characters in OIDC). */
  static final int MAX_SUBJECT_CHARS = 1024;

  private final NotesService service;

  NotesSsoAccounts(NotesService service) {
    this.service = service;
  }

  @Override
  public Optional<SsoAccount> map(String registrationId, VerifiedIdentity identity) {
    if (!usable(identity.issuer()) || !usable(identity.subject())) {
      return Optional.empty();
    }
    AppStore.User user = service.ssoAccount(identity.issuer(), identity.subject(), registrationId);
    return Optional.of(new SsoAccount(user.id(), user.roles()));
  }

  @Override
  public Optional<String> linkedAccount(String registrationId, String issuer, String subject) {
    if (!usable(issuer) || !usable(subject)) {
      return Optional.empty();
    }
    return service.ssoLinkedAccount(issuer, subject).map(AppStore.User::id);
  }

  /** Present, not blank, not too long, without control characters. */
  private static boolean usable(String s) {
    return s != null && !s.isBlank() && s.length() <= MAX_SUBJECT_CHARS && s.chars().noneMatch(Character::isISOControl);
  }
}
