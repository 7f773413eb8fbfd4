package dev.bulwark.samples.notes;

import dev.bulwark.ratelimit.RateLimitDecision;
import dev.bulwark.ratelimit.RateLimitHeaders;

/**
 * A request refused by one of the sample's rate limiters: the web layer answers 429 (503 when
 * the limiter's store could not decide) with {@link #headers()} ({@code Retry-After} and the IETF
 * {@code RateLimit} fields).
 */
final class RateLimited extends UserError {
  private static final long serialVersionUID = 1L;

  private final transient RateLimitDecision decision;

  RateLimited(String message, RateLimitDecision decision) {
    super(message);
    this.decision = decision;
  }

  RateLimitDecision decision() {
    return decision;
  }

  /** The HTTP status: 429, or 503 when the decision was made without the store. */
  int status() {
    return decision.reason() == RateLimitDecision.Reason.STORE_UNAVAILABLE ? 503 : 429;
  }

  RateLimitHeaders headers() {
    return RateLimitHeaders.of(decision);
  }
}
