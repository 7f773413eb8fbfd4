package dev.bulwark.ratelimit;

/**
 * Receives a limiter's {@link RateLimitEvent}s (store outages and recoveries), e.g. to raise an
 * alarm or write the audit log.
 *
 * <p>Called on the thread that made the decision, once per event; MUST be thread-safe and quick.
 * An exception it throws is caught and ignored: it never changes a decision.
 */
@FunctionalInterface
public interface RateLimitListener {

  /** Ignores every event. */
  RateLimitListener NONE = event -> {};

  void onEvent(RateLimitEvent event);
}
