package dev.bulwark.spring.security;

import java.time.Duration;
import java.util.Optional;

/** The HTTP {@code Retry-After} header for a wait from a lockout or a rate limit. */
public final class RetryAfter {

  private RetryAfter() {}

  /**
   * Whole seconds, rounded up, so a client that waits exactly this long is not refused again;
   * empty for a zero or negative wait (a lockout only an administrator can lift has no retry time).
   */
  public static Optional<String> headerValue(Duration wait) {
    if (wait == null || wait.isZero() || wait.isNegative()) {
      return Optional.empty();
    }
    long seconds = wait.getSeconds() + (wait.getNano() > 0 ? 1 : 0);
    return Optional.of(Long.toString(seconds));
  }
}
