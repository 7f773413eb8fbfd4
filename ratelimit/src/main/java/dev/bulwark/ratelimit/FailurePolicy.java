package dev.bulwark.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link RateLimiter} does when its store cannot decide (down, timed out, out of
 * connections). Never "allow everything": either deny, or admit from a small local budget for a
 * bounded time. Every such decision carries {@link RateLimitDecision.Reason#STORE_UNAVAILABLE}.
 *
 * <ul>
 *   <li>{@link #deny()} (the default): every request is denied until the store answers again.
 *   <li>{@link #localBudget(int, Duration)}: this node enforces each quota divided by the number of
 *       nodes the fleet expects (limit and burst ÷ {@code expectedNodes}, rounded down; a quota that
 *       rounds to zero admits nothing) in its own memory, for at most {@code maxDuration} from the
 *       first failure of an outage; after that it denies. The fleet as a whole then admits at most
 *       about what one shared limit would. The limiter reports the outage to its
 *       {@link RateLimitListener} (an alarm) when it begins, when the budget time runs out and when
 *       the store is back.
 * </ul>
 *
 * @param expectedNodes 0 for {@code DENY}; otherwise the number of nodes sharing the limit
 * @param maxDuration how long a local budget may be used per outage ({@link Duration#ZERO} for
 *     {@code DENY})
 */
public record FailurePolicy(int expectedNodes, Duration maxDuration) {

  private static final FailurePolicy DENY = new FailurePolicy(0, Duration.ZERO);

  public FailurePolicy {
    Objects.requireNonNull(maxDuration, "maxDuration");
    if (expectedNodes < 0) {
      throw new InvalidLimitException("expectedNodes must not be negative");
    }
    if (expectedNodes == 0 != maxDuration.isZero()) {
      throw new InvalidLimitException("DENY has no nodes and no duration; a local budget needs both");
    }
    if (maxDuration.isNegative() || maxDuration.compareTo(Duration.ofDays(1)) > 0) {
      throw new InvalidLimitException("a local budget lasts between 1 ms and 1 day, was " + maxDuration);
    }
  }

  /** Deny every request while the store is unavailable. The default. */
  public static FailurePolicy deny() {
    return DENY;
  }

  /**
   * Admit from a local share of each quota for at most {@code maxDuration} per outage.
   *
   * @throws InvalidLimitException if {@code expectedNodes} is below 1 or the duration is not
   *     between 1 ms and 1 day
   */
  public static FailurePolicy localBudget(int expectedNodes, Duration maxDuration) {
    if (expectedNodes < 1) {
      throw new InvalidLimitException("expectedNodes must be at least 1, was " + expectedNodes);
    }
    if (maxDuration.compareTo(Duration.ofMillis(1)) < 0) {
      throw new InvalidLimitException("a local budget lasts at least 1 ms, was " + maxDuration);
    }
    return new FailurePolicy(expectedNodes, maxDuration);
  }

  /** Whether this is {@link #deny()}. */
  public boolean isDeny() {
    return expectedNodes == 0;
  }
}
