package dev.bulwark.authn.grant;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A just-in-time access grant: {@code subject} may act as {@code target} (a role or resource name)
 * from approval until {@code activeUntil}, for the stated reason.
 *
 * @param id random public id
 * @param subject who asked and who receives the access
 * @param target the role or resource, e.g. {@code "role:db-admin"} or {@code "prod/payments:write"}
 * @param justification why (a ticket or sentence), 1-1000 characters
 * @param duration requested length of the access, within the policy maximum
 * @param state where the grant is in its life
 * @param requestedAt when it was requested
 * @param decidedBy who approved, denied or revoked it (empty while pending or after expiry)
 * @param decidedAt when that happened
 * @param activeFrom start of the access window (the approval time)
 * @param activeUntil end of the access window ({@code activeFrom + duration}, or the revocation)
 */
public record Grant(
    String id,
    String subject,
    String target,
    String justification,
    Duration duration,
    GrantState state,
    Instant requestedAt,
    Optional<String> decidedBy,
    Optional<Instant> decidedAt,
    Optional<Instant> activeFrom,
    Optional<Instant> activeUntil) {

  public Grant {
    text(id, "id", 64);
    text(subject, "subject", 255);
    text(target, "target", 255);
    text(justification, "justification", 1000);
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive");
    }
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(requestedAt, "requestedAt");
    Objects.requireNonNull(decidedBy, "decidedBy");
    Objects.requireNonNull(decidedAt, "decidedAt");
    Objects.requireNonNull(activeFrom, "activeFrom");
    Objects.requireNonNull(activeUntil, "activeUntil");
    if (activeFrom.isPresent() != activeUntil.isPresent()) {
      throw new IllegalArgumentException("activeFrom and activeUntil go together");
    }
  }

  /** True when the grant gives access at {@code now}: approved and {@code activeFrom <= now < activeUntil}. */
  public boolean isActiveAt(Instant now) {
    return state == GrantState.APPROVED
        && activeFrom.isPresent()
        && !now.isBefore(activeFrom.get())
        && now.isBefore(activeUntil.get());
  }

  Grant with(GrantState newState, Optional<String> by, Optional<Instant> at, Optional<Instant> from, Optional<Instant> until) {
    return new Grant(id, subject, target, justification, duration, newState, requestedAt, by, at, from, until);
  }

  private static void text(String s, String name, int max) {
    Objects.requireNonNull(s, name);
    if (s.isBlank() || s.length() > max) {
      throw new IllegalArgumentException(name + " must be 1-" + max + " characters and not blank");
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        throw new IllegalArgumentException(name + " must not contain control characters");
      }
    }
  }
}
