package dev.bulwark.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * Where one quota of a key stands after a decision.
 *
 * @param quota the quota
 * @param remaining units that could be taken right now (0 to {@code burst})
 * @param nextUnitAfter time until one more unit becomes available ({@link Duration#ZERO} when the
 *     quota is full)
 */
public record QuotaState(Quota quota, long remaining, Duration nextUnitAfter) {
  public QuotaState {
    Objects.requireNonNull(quota, "quota");
    Objects.requireNonNull(nextUnitAfter, "nextUnitAfter");
    if (remaining < 0) {
      throw new IllegalArgumentException("remaining must not be negative");
    }
  }
}
