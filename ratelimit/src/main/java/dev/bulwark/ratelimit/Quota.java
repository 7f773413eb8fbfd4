package dev.bulwark.ratelimit;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One limit on a key: {@code limit} units per {@code period}, of which up to {@code burst} may be
 * used at once. Enforced with the generic cell rate algorithm (GCRA): each unit advances the key's
 * theoretical arrival time by the emission interval {@code period / limit}; a request is admitted
 * while that time stays within {@code burst} intervals of now. Over any stretch of time {@code t}
 * a key is admitted at most {@code burst + floor(t / interval)} units: over one period, at most
 * {@code burst + limit}.
 *
 * <p>The emission interval is kept in whole microseconds (the precision of PostgreSQL's and
 * Redis's clocks), rounded up when {@code period / limit} is not whole, so rounding never admits
 * more than written.
 *
 * @param name the quota's name in {@code RateLimit} headers; 1–32 characters of {@code [a-z0-9_-]}
 * @param limit units per period, at least 1
 * @param period at least 1 ms and at most 400 days; an interval of at least 1 µs
 * @param burst units that may be used at once, from 1 to 1,000,000,000
 */
public record Quota(String name, long limit, Duration period, long burst) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,32}");
  private static final long MAX_BURST = 1_000_000_000L;
  private static final Duration MAX_PERIOD = Duration.ofDays(400);

  public Quota {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(period, "period");
    if (!NAME.matcher(name).matches()) {
      throw new InvalidLimitException("quota name must be 1-32 characters of [a-z0-9_-]");
    }
    if (limit < 1) {
      throw new InvalidLimitException("quota " + name + ": limit must be at least 1, was " + limit);
    }
    if (burst < 1 || burst > MAX_BURST) {
      throw new InvalidLimitException("quota " + name + ": burst must be between 1 and " + MAX_BURST + ", was " + burst);
    }
    if (period.compareTo(Duration.ofMillis(1)) < 0 || period.compareTo(MAX_PERIOD) > 0) {
      throw new InvalidLimitException("quota " + name + ": period must be between 1 ms and 400 days, was " + period);
    }
    long periodMicros = period.toNanos() / 1000;
    if (periodMicros / limit < 1) {
      throw new InvalidLimitException("quota " + name + ": more than one unit per microsecond (" + limit + " per " + period + ")");
    }
  }

  /** {@code limit} units per {@code period}, all of which may be used at once ({@code burst = limit}). */
  public static Quota of(String name, long limit, Duration period) {
    return new Quota(name, limit, period, limit);
  }

  /** {@code limit} per minute, named {@code minute}. */
  public static Quota perMinute(long limit) {
    return of("minute", limit, Duration.ofMinutes(1));
  }

  /** {@code limit} per day, named {@code day}. */
  public static Quota perDay(long limit) {
    return of("day", limit, Duration.ofDays(1));
  }

  /** This quota with another burst. */
  public Quota withBurst(long burst) {
    return new Quota(name, limit, period, burst);
  }

  /** The emission interval {@code period / limit} in microseconds, rounded up. */
  public long intervalMicros() {
    long periodMicros = period.toNanos() / 1000;
    return periodMicros / limit + (periodMicros % limit == 0 ? 0 : 1);
  }

  /** How far ahead of now the theoretical arrival time may run: {@code burst × interval}. */
  public long toleranceMicros() {
    return Math.multiplyExact(burst, intervalMicros());
  }
}
