package dev.bulwark.authz;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * Grants a role to a principal inside one organization, optionally narrowed to one resource or
 * subtree, optionally for a time window, optionally until a review date.
 *
 * <p>A binding is effective from {@code notBefore} (inclusive) until the earlier of
 * {@code notAfter} and {@code reviewBy} (exclusive). A binding whose review date passes without a
 * reviewer certifying it lapses: it grants nothing (fail closed) until certified again.
 *
 * <p>Times are kept to the microsecond (the precision of the JDBC store's {@code timestamptz}
 * columns): finer parts are truncated when the binding is made, so every store returns the binding
 * it was given.
 *
 * @param id unique within a policy; {@code [a-z][a-z0-9_.-]{0,63}} is not required, any text up to 256
 * @param principal who is granted the role
 * @param role the role name
 * @param tenant the organization
 * @param scope where inside the organization
 * @param notBefore start of a time-bound (just-in-time) binding
 * @param notAfter expiry of a time-bound binding
 * @param reviewBy when the binding must have been certified by a reviewer
 */
public record Binding(String id, Principal principal, String role, String tenant, Scope scope,
    Optional<Instant> notBefore, Optional<Instant> notAfter, Optional<Instant> reviewBy) {

  public Binding {
    Names.requireText(id, "binding id");
    Objects.requireNonNull(principal, "principal");
    Names.requireName(role, "role");
    Names.requireText(tenant, "tenant");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    Objects.requireNonNull(reviewBy, "reviewBy");
    notBefore = notBefore.map(t -> t.truncatedTo(ChronoUnit.MICROS));
    notAfter = notAfter.map(t -> t.truncatedTo(ChronoUnit.MICROS));
    reviewBy = reviewBy.map(t -> t.truncatedTo(ChronoUnit.MICROS));
    if (notBefore.isPresent() && notAfter.isPresent() && !notBefore.get().isBefore(notAfter.get())) {
      throw new IllegalArgumentException("binding notBefore must be before notAfter");
    }
  }

  /** A permanent binding with no review date. */
  public static Binding of(String id, Principal principal, String role, String tenant, Scope scope) {
    return new Binding(id, principal, role, tenant, scope, Optional.empty(), Optional.empty(), Optional.empty());
  }

  public Binding withWindow(Instant from, Instant until) {
    return new Binding(id, principal, role, tenant, scope, Optional.of(from), Optional.of(until), reviewBy);
  }

  public Binding withReviewBy(Instant date) {
    return new Binding(id, principal, role, tenant, scope, notBefore, notAfter, Optional.of(date));
  }

  /** Whether the binding grants anything at {@code now}. */
  public boolean effectiveAt(Instant now) {
    if (notBefore.isPresent() && now.isBefore(notBefore.get())) {
      return false;
    }
    if (notAfter.isPresent() && !now.isBefore(notAfter.get())) {
      return false;
    }
    return reviewBy.isEmpty() || now.isBefore(reviewBy.get());
  }
}
