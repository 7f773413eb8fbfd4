package dev.bulwark.ratelimit.spi;

/**
 * The store could not make a decision: unreachable, timed out, out of connections, or an answer
 * that made no sense. {@link dev.bulwark.ratelimit.RateLimiter} turns it into a decision under the
 * limiter's failure policy ({@code STORE_UNAVAILABLE}); it never reaches the caller of
 * {@code acquire}.
 */
public class StoreUnavailableException extends Exception {

  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreUnavailableException(String message) {
    super(message);
  }
}
