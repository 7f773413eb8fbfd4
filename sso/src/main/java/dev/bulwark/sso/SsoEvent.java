package dev.bulwark.sso;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A security event: one sign-in or logout that succeeded or was refused.
 *
 * @param type what happened
 * @param protocol SAML or OIDC
 * @param issuer the configured identity provider (never a value taken from a refused message)
 * @param subject the verified subject on success; empty on refusal (a refused message's claims are
 *     not trustworthy)
 * @param reason the refusal reason; empty on success
 * @param at when it happened, by the configured clock
 */
public record SsoEvent(
    Type type,
    Protocol protocol,
    String issuer,
    Optional<String> subject,
    Optional<RefusalReason> reason,
    Instant at) {

  /** Kinds of event. */
  public enum Type {
    LOGIN_SUCCEEDED,
    LOGIN_REFUSED,
    LOGOUT_SUCCEEDED,
    LOGOUT_REFUSED,
    /**
     * A verified identity-provider-initiated logout request after which the host ended no local
     * session (none matched, or its terminator failed); the identity provider was told so.
     */
    LOGOUT_INCOMPLETE
  }

  public SsoEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(at, "at");
  }
}
