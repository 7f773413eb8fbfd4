package dev.bulwark.authn.flow;

import java.util.Objects;
import java.util.Set;

/**
 * Which accounts must present a second factor. An account needs one when any of these holds:
 * the policy requires it of everyone; the account has one of the {@code requiredRoles}; the
 * account has one of the {@code adminRoles} (admins always, no switch turns this off); or the
 * account has enrolled a second factor of its own accord.
 *
 * <p>An account that needs a second factor but has none enrolled does not log in: the flow answers
 * {@link LoginResult.Outcome#SECOND_FACTOR_ENROLLMENT_REQUIRED} (fail closed).
 *
 * @param requireForAll every account needs a second factor
 * @param requiredRoles roles that need a second factor
 * @param adminRoles administrative roles; they always need one
 */
public record MfaPolicy(boolean requireForAll, Set<String> requiredRoles, Set<String> adminRoles) {

  public MfaPolicy {
    requiredRoles = Set.copyOf(Objects.requireNonNull(requiredRoles, "requiredRoles"));
    adminRoles = Set.copyOf(Objects.requireNonNull(adminRoles, "adminRoles"));
    if (adminRoles.isEmpty()) {
      throw new IllegalArgumentException("adminRoles must name at least one role (admins always need MFA)");
    }
  }

  /** Admins (role {@code admin}) need a second factor; others only if they enrolled one. */
  public static MfaPolicy adminsOnly() {
    return new MfaPolicy(false, Set.of(), Set.of("admin"));
  }

  /** Everyone needs a second factor. */
  public static MfaPolicy everyone() {
    return new MfaPolicy(true, Set.of(), Set.of("admin"));
  }

  public MfaPolicy withRequiredRoles(Set<String> roles) {
    return new MfaPolicy(requireForAll, roles, adminRoles);
  }

  public MfaPolicy withAdminRoles(Set<String> roles) {
    return new MfaPolicy(requireForAll, requiredRoles, roles);
  }

  /** True when {@code account} must present a second factor, before considering what it enrolled. */
  public boolean requiresSecondFactor(Account account) {
    if (requireForAll) {
      return true;
    }
    for (String role : account.roles()) {
      if (adminRoles.contains(role) || requiredRoles.contains(role)) {
        return true;
      }
    }
    return false;
  }
}
