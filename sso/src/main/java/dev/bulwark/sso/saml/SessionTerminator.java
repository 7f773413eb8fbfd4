package dev.bulwark.sso.saml;

import java.util.List;

/**
 * Ends the host's local sessions for an identity-provider-initiated logout. Called only after the
 * identity provider's {@code LogoutRequest} has been fully verified (signature, issuer, destination,
 * validity window, replay), and at most once per request.
 */
@FunctionalInterface
public interface SessionTerminator {

  /**
   * Ends the local sessions of {@code subject} (the request's {@code NameID}, as it was in the
   * {@link dev.bulwark.sso.VerifiedIdentity} at sign-in).
   *
   * @param sessionIndexes the identity provider's session indexes to end; empty means every session
   *     of the subject from this identity provider
   * @return how many local sessions were ended (0 when none matched)
   * @throws RuntimeException when sessions could not be ended; the identity provider is then told
   *     that logout failed
   */
  int endSessions(String subject, List<String> sessionIndexes);
}
