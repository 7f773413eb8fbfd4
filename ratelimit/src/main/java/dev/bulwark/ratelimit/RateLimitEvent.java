package dev.bulwark.ratelimit;

import java.time.Instant;
import java.util.Objects;

/**
 * Something an operator should know about a limiter's store: delivered to its
 * {@link RateLimitListener}. Carries no key (keys hold principals and addresses).
 *
 * @param type what happened
 * @param limiter the limiter's name
 * @param at when (the limiter's clock)
 * @param detail the failure's class and message for {@link Type#STORE_UNAVAILABLE}, else empty
 */
public record RateLimitEvent(Type type, String limiter, Instant at, String detail) {

  /** Kinds of event. */
  public enum Type {
    /** The store failed; an outage began. Decisions are now made by the failure policy. An alarm. */
    STORE_UNAVAILABLE,
    /** The local budget's time ran out during an outage: from now on every request is denied. */
    LOCAL_BUDGET_EXPIRED,
    /** The store answered again after an outage. */
    STORE_RECOVERED
  }

  public RateLimitEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(limiter, "limiter");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(detail, "detail");
  }
}
