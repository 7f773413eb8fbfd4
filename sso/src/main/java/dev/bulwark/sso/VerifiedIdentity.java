package dev.bulwark.sso;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one result of a successful SAML or OIDC sign-in: who the identity provider says the user is
 * and how strongly it authenticated them. A host turns it into its own session.
 *
 * <p>Every value was read from the signed part of the message (the assertion the signature
 * covered, or the ID token's verified claims). Immutable and thread-safe.
 *
 * @param protocol how the identity arrived
 * @param issuer the identity provider's entity ID (SAML) or issuer URL (OIDC)
 * @param subject the SAML {@code NameID} or the OIDC {@code sub}; unique only together with issuer
 * @param attributes SAML attributes or OIDC claims, each as a list of strings (never null)
 * @param authnContext the SAML {@code AuthnContextClassRef} or OIDC {@code acr}; empty if absent
 * @param assurance the level {@link AssuranceMapping} gave that context
 * @param authenticatedAt when the identity provider authenticated the user
 * @param sessionIndex the SAML {@code SessionIndex} or OIDC {@code sid}, needed for logout; may be
 *     empty
 */
public record VerifiedIdentity(
    Protocol protocol,
    String issuer,
    String subject,
    Map<String, List<String>> attributes,
    String authnContext,
    SsoAssuranceLevel assurance,
    Instant authenticatedAt,
    String sessionIndex) {

  public VerifiedIdentity {
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(authnContext, "authnContext");
    Objects.requireNonNull(assurance, "assurance");
    Objects.requireNonNull(authenticatedAt, "authenticatedAt");
    Objects.requireNonNull(sessionIndex, "sessionIndex");
    if (issuer.isEmpty() || subject.isEmpty()) {
      throw new IllegalArgumentException("issuer and subject must not be empty");
    }
    Map<String, List<String>> copy = new LinkedHashMap<>();
    attributes.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    attributes = java.util.Collections.unmodifiableMap(copy);
  }

  /** The first value of an attribute or claim, or empty. */
  public java.util.Optional<String> attribute(String name) {
    List<String> values = attributes.get(name);
    return values == null || values.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of(values.get(0));
  }
}
