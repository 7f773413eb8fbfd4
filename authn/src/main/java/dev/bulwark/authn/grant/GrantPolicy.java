package dev.bulwark.authn.grant;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on just-in-time grants.
 *
 * @param maxDuration the longest access window a request may ask for (default 8 h, as Entra PIM
 *     and Azure Lighthouse JIT)
 * @param pendingTimeout a request not decided within this time expires (default 24 h)
 */
public record GrantPolicy(Duration maxDuration, Duration pendingTimeout) {
  public GrantPolicy {
    Objects.requireNonNull(maxDuration, "maxDuration");
    Objects.requireNonNull(pendingTimeout, "pendingTimeout");
    if (maxDuration.isNegative() || maxDuration.isZero() || pendingTimeout.isNegative() || pendingTimeout.isZero()) {
      throw new IllegalArgumentException("durations must be positive");
    }
  }

  /** 8 h maximum window; 24 h to decide. */
  public static GrantPolicy defaults() {
    return new GrantPolicy(Duration.ofHours(8), Duration.ofHours(24));
  }
}
