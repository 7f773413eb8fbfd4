package dev.bulwark.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The answer of {@link RateLimiter#acquire}.
 *
 * @param allowed whether the units were taken and the request may go ahead
 * @param reason why; {@link Reason#STORE_UNAVAILABLE} whenever the shared store was not asked
 *     successfully (allowed only from a bounded local budget, see {@link FailurePolicy})
 * @param remaining units left on the tightest quota (0 when denied)
 * @param retryAfter how long until the same request could be admitted ({@link Duration#ZERO} when
 *     allowed; when the store is unavailable, a short back-off)
 * @param quotas each quota's state, in the limiter's order (empty when the store was unavailable
 *     and no local budget applied)
 */
public record RateLimitDecision(boolean allowed, Reason reason, long remaining, Duration retryAfter, List<QuotaState> quotas) {

  /** Why a decision came out as it did. */
  public enum Reason {
    /** Every quota had room; the units were taken. */
    WITHIN_LIMIT,
    /** A quota had no room for the cost; nothing was taken. */
    LIMIT_EXCEEDED,
    /** The store could not be asked; decided by the failure policy without it. */
    STORE_UNAVAILABLE
  }

  public RateLimitDecision {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(retryAfter, "retryAfter");
    // The limiter's own lazily computed states are immutable already; anything else is copied.
    quotas = quotas instanceof QuotaStates ? quotas : List.copyOf(quotas);
    if (remaining < 0 || retryAfter.isNegative()) {
      throw new IllegalArgumentException("remaining and retryAfter must not be negative");
    }
    if (allowed && reason == Reason.LIMIT_EXCEEDED || !allowed && reason == Reason.WITHIN_LIMIT) {
      throw new IllegalArgumentException("reason " + reason + " contradicts allowed=" + allowed);
    }
  }

  /** The opposite of {@link #allowed()}. */
  public boolean denied() {
    return !allowed;
  }
}
