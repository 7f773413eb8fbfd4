package dev.bulwark.sso.internal;

import java.time.Duration;

/** The allowed clock difference with an identity provider, as both SSO builders check it. */
public final class ClockSkew {

  private static final Duration MAX = Duration.ofMinutes(5);

  private ClockSkew() {}

  /**
   * @return {@code skew}
   * @throws IllegalArgumentException unless between 0 and 5 minutes
   */
  public static Duration check(Duration skew) {
    if (skew.isNegative() || skew.compareTo(MAX) > 0) {
      throw new IllegalArgumentException("clock skew must be between 0 and 5 minutes");
    }
    return skew;
  }
}
