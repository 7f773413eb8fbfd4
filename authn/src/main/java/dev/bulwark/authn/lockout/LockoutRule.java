package dev.bulwark.authn.lockout;

import java.time.Duration;
import java.util.Objects;

/**
 * How failures on one kind of key turn into waiting time.
 *
 * <ul>
 *   <li>The first {@code freeFailures} failures cost nothing.
 *   <li>Each further failure imposes a wait that doubles from {@code initialDelay} up to
 *       {@code maxDelay} (exponential backoff); once the wait reaches {@code maxDelay} the key is
 *       temporarily locked for that long after each failure.
 *   <li>At {@code disableAfter} consecutive failures the key is disabled: no time unlocks it,
 *       only a successful login of the account (for factor keys: never, since a disabled factor
 *       cannot succeed) or an admin {@link Lockout#unlock}. NIST 800-63B §3.2.2 caps this at 100
 *       per authenticator. 0 means never.
 *   <li>Failures older than {@code forgetAfter} (counted from the last failure) are forgotten,
 *       unless the key is disabled.
 * </ul>
 *
 * @param freeFailures failures allowed without any wait, 0..100
 * @param initialDelay the first wait, positive
 * @param maxDelay the longest wait (the temporary lockout), at least {@code initialDelay}
 * @param disableAfter failures that disable the key, 0 (never) or {@code freeFailures+1}..100
 * @param forgetAfter how long a failure is remembered, at least {@code maxDelay}
 */
public record LockoutRule(
    int freeFailures, Duration initialDelay, Duration maxDelay, int disableAfter, Duration forgetAfter) {

  /** NIST 800-63B's ceiling on consecutive failures per authenticator. */
  public static final int NIST_MAX_CONSECUTIVE_FAILURES = 100;

  /** Durations shorter than this many seconds convert to nanoseconds without overflow. */
  private static final long NANOS_SAFE_SECONDS = 4_000_000_000L;

  public LockoutRule {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(forgetAfter, "forgetAfter");
    if (freeFailures < 0 || freeFailures > NIST_MAX_CONSECUTIVE_FAILURES) {
      throw new IllegalArgumentException("freeFailures must be in 0..100");
    }
    if (initialDelay.isNegative() || initialDelay.isZero()) {
      throw new IllegalArgumentException("initialDelay must be positive");
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("maxDelay must be at least initialDelay");
    }
    if (disableAfter != 0 && (disableAfter <= freeFailures || disableAfter > NIST_MAX_CONSECUTIVE_FAILURES)) {
      throw new IllegalArgumentException(
          "disableAfter must be 0 (never) or in freeFailures+1..100 (NIST 800-63B), was " + disableAfter);
    }
    if (forgetAfter.compareTo(maxDelay) < 0) {
      throw new IllegalArgumentException("forgetAfter must be at least maxDelay");
    }
  }

  /** The wait imposed after the {@code failures}-th consecutive failure. */
  public Duration delayAfter(long failures) {
    if (failures <= freeFailures) {
      return Duration.ZERO;
    }
    long doublings = failures - freeFailures - 1;
    if (doublings >= 62) {
      return maxDelay;
    }
    // Lockout evaluates this on every check and failure: stay in long arithmetic when both
    // delays fit in a long of nanoseconds (up to ~126 years), instead of Duration's BigInteger path.
    if (initialDelay.getSeconds() < NANOS_SAFE_SECONDS && maxDelay.getSeconds() < NANOS_SAFE_SECONDS) {
      long initial = initialDelay.toNanos();
      long max = maxDelay.toNanos();
      // initial * 2^doublings > max  <=>  initial > floor(max / 2^doublings)
      return initial > (max >> doublings) ? maxDelay : Duration.ofNanos(initial << doublings);
    }
    long factor = 1L << doublings;
    Duration d;
    try {
      d = initialDelay.multipliedBy(factor);
    } catch (ArithmeticException e) {
      return maxDelay;
    }
    return d.compareTo(maxDelay) > 0 ? maxDelay : d;
  }

  /**
   * Whether the {@code failures}-th failure is the first whose wait is {@code maxDelay} (the key
   * has just become temporarily locked). Evaluated after every failure, so it stays in long
   * arithmetic when it can.
   */
  boolean firstAtMaxDelay(long failures) {
    if (failures <= freeFailures) {
      return false;
    }
    long doublings = failures - freeFailures - 1;
    if (doublings < 62 && initialDelay.getSeconds() < NANOS_SAFE_SECONDS && maxDelay.getSeconds() < NANOS_SAFE_SECONDS) {
      long initial = initialDelay.toNanos();
      long max = maxDelay.toNanos();
      boolean atMax = initial > (max >> doublings) || (initial << doublings) == max;
      boolean beforeAtMax = doublings > 0 && (initial > (max >> (doublings - 1)) || (initial << (doublings - 1)) == max);
      return atMax && !beforeAtMax;
    }
    return delayAfter(failures).equals(maxDelay) && delayAfter(failures - 1).compareTo(maxDelay) < 0;
  }

  /**
   * The {@code disableAt} argument for {@link dev.bulwark.authn.lockout.spi.AttemptStore#recordFailure}:
   * {@code disableAfter}, or {@link Long#MAX_VALUE} when the rule never disables.
   */
  public long disableAt() {
    return disableAfter == 0 ? Long.MAX_VALUE : disableAfter;
  }

  /**
   * Whether one more attempt may be made at {@code at} on a key whose live record is
   * {@code current}: the key is not disabled and the wait owed for its failures has passed. An
   * {@link dev.bulwark.authn.lockout.spi.AttemptStore} applies this, atomically with counting
   * the attempt, in {@link dev.bulwark.authn.lockout.spi.AttemptStore#reserve}.
   */
  public boolean admits(Attempts current, java.time.Instant at) {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(at, "at");
    if (current.disabled()) {
      return false;
    }
    if (current.failures() <= freeFailures) {
      return true;
    }
    try {
      return !at.isBefore(current.lastFailureAt().plus(delayAfter(current.failures())));
    } catch (java.time.DateTimeException | ArithmeticException e) {
      return false; // the wait ends beyond the end of time
    }
  }
}
