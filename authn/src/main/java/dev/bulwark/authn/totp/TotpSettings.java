package dev.bulwark.authn.totp;

import java.time.Duration;
import java.util.Objects;

/**
 * How TOTP codes are generated and verified.
 *
 * <p>{@link #DEFAULT}: HMAC-SHA-1, 6 digits, 30-second steps, a drift window of one step either
 * side: what every authenticator app supports, and RFC 6238 §5.2's recommendation. A window of
 * one accepts a code for 90 seconds; each extra step adds 60.
 *
 * @param algorithm the HMAC function
 * @param digits code length, 6 to 8
 * @param period the time step, 1 to 300 whole seconds
 * @param window steps accepted either side of the current one, 0 to 10
 */
public record TotpSettings(TotpAlgorithm algorithm, int digits, Duration period, int window) {

  public static final TotpSettings DEFAULT = new TotpSettings(TotpAlgorithm.SHA1, 6, Duration.ofSeconds(30), 1);

  public TotpSettings {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(period, "period");
    if (digits < 6 || digits > 8) {
      throw new IllegalArgumentException("digits must be 6, 7 or 8, was " + digits);
    }
    if (period.getNano() != 0 || period.getSeconds() < 1 || period.getSeconds() > 300) {
      throw new IllegalArgumentException("period must be 1 to 300 whole seconds, was " + period);
    }
    if (window < 0 || window > 10) {
      throw new IllegalArgumentException("window must be 0..10 steps, was " + window);
    }
  }

  public TotpSettings withAlgorithm(TotpAlgorithm algorithm) {
    return new TotpSettings(algorithm, digits, period, window);
  }

  public TotpSettings withDigits(int digits) {
    return new TotpSettings(algorithm, digits, period, window);
  }

  public TotpSettings withPeriod(Duration period) {
    return new TotpSettings(algorithm, digits, period, window);
  }

  public TotpSettings withWindow(int window) {
    return new TotpSettings(algorithm, digits, period, window);
  }
}
