package dev.bulwark.authn;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Something security-relevant that happened in an authentication component: a failed login, a
 * lockout, an MFA enrolment, a session revoked, a grant approved. Hosts forward these to their
 * audit log through a {@link SecurityEventListener}.
 *
 * <p>{@code type} follows the OWASP logging vocabulary ({@code authn_login_fail},
 * {@code authn_login_lock}, {@code session_created}, ...); the constants are in
 * {@link SecurityEventType}. {@code details} hold non-secret context only: never a password, a
 * code, a token or a seed.
 *
 * @param type the OWASP-style event name
 * @param subject the account or user the event is about; empty when it is unknown (for example a
 *     login attempt for an account that does not exist is reported without revealing that)
 * @param occurredAt when it happened, from the component's clock
 * @param source the client address or other origin of the request, if the host supplied one
 * @param details non-secret key/value context, sorted by key
 */
public record SecurityEvent(
    String type, Optional<String> subject, Instant occurredAt, Optional<String> source, Map<String, String> details) {

  public SecurityEvent {
    Objects.requireNonNull(type, "type");
    if (type.isEmpty()) {
      throw new IllegalArgumentException("type must not be empty");
    }
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(source, "source");
    details = java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(details, "details")));
  }

  /** An event about {@code subject} with no source and no details. */
  public static SecurityEvent of(String type, String subject, Instant occurredAt) {
    return new SecurityEvent(type, Optional.of(subject), occurredAt, Optional.empty(), Map.of());
  }
}
