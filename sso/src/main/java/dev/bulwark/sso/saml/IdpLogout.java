package dev.bulwark.sso.saml;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of an identity-provider-initiated logout whose {@code LogoutRequest} verified.
 *
 * @param responseLocation where to send the browser (302): the identity provider's logout endpoint
 *     with the signed {@code LogoutResponse} (HTTP-Redirect binding). For a back-channel request,
 *     the identity provider may ignore it.
 * @param subject the {@code NameID} whose sessions were to be ended
 * @param sessionIndexes the session indexes the request named (empty: all of the subject's)
 * @param sessionsEnded what the {@link SessionTerminator} reported (0 when it failed)
 * @param success true when the response carries status {@code Success}: the terminator ended at
 *     least one session; false when it ended none or threw (status {@code Responder})
 */
public record IdpLogout(
    URI responseLocation, String subject, List<String> sessionIndexes, int sessionsEnded, boolean success) {
  public IdpLogout {
    Objects.requireNonNull(responseLocation, "responseLocation");
    Objects.requireNonNull(subject, "subject");
    sessionIndexes = List.copyOf(sessionIndexes);
  }
}
