package dev.bulwark.lifecycle;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The retention policy of every data class a host manages. Starts from {@link #defaults()}
 * ({@code audit-log} 90 days, {@code session} 30 days) or {@link #of}; changes go through
 * {@link Lifecycle#changePolicy}, which applies the mode rules here and records the change.
 *
 * <p>Thread-safe.
 */
public final class RetentionPolicies {

  private final Map<DataClass, RetentionPolicy> policies = new ConcurrentHashMap<>();

  private RetentionPolicies(Collection<RetentionPolicy> initial) {
    for (RetentionPolicy p : initial) {
      if (policies.putIfAbsent(p.dataClass(), p) != null) {
        throw new IllegalArgumentException("two policies for data class " + p.dataClass());
      }
    }
  }

  /** {@code audit-log}: purge after 90 days; {@code session}: purge after 30 days (both governance mode). */
  public static RetentionPolicies defaults() {
    return of(RetentionPolicy.auditLogDefault(), RetentionPolicy.sessionDefault());
  }

  public static RetentionPolicies of(RetentionPolicy... policies) {
    return new RetentionPolicies(List.of(policies));
  }

  /** The defaults plus (or replacing) the given policies. */
  public static RetentionPolicies defaultsWith(RetentionPolicy... custom) {
    RetentionPolicies p = defaults();
    for (RetentionPolicy c : custom) {
      p.policies.put(c.dataClass(), c);
    }
    return p;
  }

  /** The policy of a class. */
  public RetentionPolicy get(DataClass dataClass) {
    RetentionPolicy p = policies.get(Objects.requireNonNull(dataClass, "dataClass"));
    if (p == null) {
      throw new UnknownDataClassException(dataClass, "no retention policy is configured for it");
    }
    return p;
  }

  public Optional<RetentionPolicy> find(DataClass dataClass) {
    return Optional.ofNullable(policies.get(dataClass));
  }

  public Collection<RetentionPolicy> all() {
    return List.copyOf(policies.values());
  }

  /**
   * Replaces a class's policy under the mode rules, and returns it with the next version.
   * COMPLIANCE: the retention may only lengthen, the mode stays COMPLIANCE, and the recovery
   * window may not grow. GOVERNANCE: shortening the retention needs {@code authorisedOverride}.
   *
   * @throws UnknownDataClassException when the class has no policy
   * @throws PolicyViolationException when the mode forbids the change
   */
  RetentionPolicy change(RetentionPolicy next, boolean authorisedOverride) throws PolicyViolationException {
    Objects.requireNonNull(next, "next");
    while (true) {
      RetentionPolicy current = get(next.dataClass());
      check(current, next, authorisedOverride);
      RetentionPolicy versioned = next.withVersion(current.version() + 1);
      if (policies.replace(next.dataClass(), current, versioned)) {
        return versioned;
      }
    }
  }

  /** True when {@code next} shortens {@code current}'s retention on some calendar day. */
  static boolean shortens(RetentionPolicy current, RetentionPolicy next) {
    return !Periods.atLeast(next.retention(), current.retention());
  }

  private static void check(RetentionPolicy current, RetentionPolicy next, boolean override)
      throws PolicyViolationException {
    boolean shorter = shortens(current, next);
    if (current.mode() == RetentionPolicy.Mode.COMPLIANCE) {
      if (shorter) {
        throw new PolicyViolationException("policy " + current.describe()
            + " is in COMPLIANCE mode: its retention can only be lengthened (asked for " + next.retention() + ")");
      }
      if (next.mode() != RetentionPolicy.Mode.COMPLIANCE) {
        throw new PolicyViolationException("policy " + current.describe() + " is in COMPLIANCE mode: the mode cannot be relaxed");
      }
      if (!Periods.atLeast(current.maxRecoveryWindow(), next.maxRecoveryWindow())) {
        throw new PolicyViolationException("policy " + current.describe()
            + " is in COMPLIANCE mode: the recovery window cannot grow");
      }
      if (next.action() != current.action()) {
        throw new PolicyViolationException("policy " + current.describe() + " is in COMPLIANCE mode: the action cannot change");
      }
    } else if (shorter && !override) {
      throw new PolicyViolationException("shortening " + current.describe() + " to " + next.retention()
          + " needs an authorised override");
    }
  }
}
