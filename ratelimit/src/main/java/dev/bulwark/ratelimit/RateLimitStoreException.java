package dev.bulwark.ratelimit;

import dev.bulwark.common.StoreException;

/**
 * A rate-limit store could not do its job: unreachable, timed out, out of connections, an answer
 * that made no sense, or a table of another shape than this version expects. An infrastructure
 * failure, never a verdict on a request.
 *
 * <p>Thrown by a store's {@code acquire}, {@link RateLimiter} never lets it reach its caller: it
 * decides under the limiter's {@link FailurePolicy} ({@code STORE_UNAVAILABLE}, a denial unless a
 * bounded local budget is configured) and reports the outage as a {@link RateLimitEvent}. Thrown
 * when a JDBC store is built against a table it cannot create or read, so a deployment against the
 * wrong schema fails at start-up instead of admitting requests. The message names the store and
 * the failure, never a key.
 */
public final class RateLimitStoreException extends StoreException {

  private static final long serialVersionUID = 1L;

  public RateLimitStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public RateLimitStoreException(String message) {
    super(message);
  }
}
