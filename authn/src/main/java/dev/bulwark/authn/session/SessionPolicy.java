package dev.bulwark.authn.session;

import dev.bulwark.authn.AssuranceLevel;
import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts and limits for sessions.
 *
 * <p>Presets follow NIST SP 800-63B rev. 4 §2.x reauthentication ("overall timeout" = absolute,
 * "inactivity timeout" = idle):
 *
 * <table>
 *   <caption>Presets</caption>
 *   <tr><th>level</th><th>absolute</th><th>idle</th></tr>
 *   <tr><td>AAL1</td><td>30 days (SHOULD ≤ 30 d)</td><td>30 days (no inactivity limit required)</td></tr>
 *   <tr><td>AAL2</td><td>24 hours (SHOULD ≤ 24 h)</td><td>1 hour (SHOULD ≤ 1 h)</td></tr>
 *   <tr><td>AAL3</td><td>12 hours (SHALL ≤ 12 h)</td><td>15 minutes (SHOULD ≤ 15 min)</td></tr>
 * </table>
 *
 * <p>The presets allow 5 sessions per user and evict the oldest; a step-up elevation lasts 15
 * minutes. The last-seen time is written at most once per touch interval: one minute, or a
 * sixteenth of the idle timeout when that is shorter (AAL3: 56.25 s). A write per request would
 * make every validation a database write. The stored last-seen time is therefore up to one touch
 * interval older than the last use, and the idle deadline computed from it can come up to one
 * touch interval (at most 1/16 of the idle timeout) before the policy's, never after it.
 *
 * @param idleTimeout the session dies after this long without use (ASVS 5 7.3.1)
 * @param absoluteTimeout the session dies this long after creation, whatever its use (ASVS 5 7.3.2)
 * @param maxSessionsPerUser concurrent live sessions allowed per user (ASVS 5 7.1.2), ≥ 1
 * @param onLimit what to do with a login beyond the limit
 * @param elevationTimeout how long a step-up raises the session's level
 * @param touchInterval the last-seen time is stored only when it moved by at least this much
 */
public record SessionPolicy(
    Duration idleTimeout,
    Duration absoluteTimeout,
    int maxSessionsPerUser,
    LimitAction onLimit,
    Duration elevationTimeout,
    Duration touchInterval) {

  public SessionPolicy {
    positive(idleTimeout, "idleTimeout");
    positive(absoluteTimeout, "absoluteTimeout");
    if (idleTimeout.compareTo(absoluteTimeout) > 0) {
      throw new IllegalArgumentException("idleTimeout must not exceed absoluteTimeout");
    }
    if (maxSessionsPerUser < 1 || maxSessionsPerUser > 10_000) {
      throw new IllegalArgumentException("maxSessionsPerUser must be 1..10000");
    }
    Objects.requireNonNull(onLimit, "onLimit");
    positive(elevationTimeout, "elevationTimeout");
    Objects.requireNonNull(touchInterval, "touchInterval");
    if (touchInterval.isNegative() || touchInterval.compareTo(idleTimeout) >= 0) {
      throw new IllegalArgumentException("touchInterval must be >= 0 and shorter than idleTimeout");
    }
  }

  /** The NIST SP 800-63B rev. 4 preset for {@code level} (see the class documentation). */
  public static SessionPolicy nist(AssuranceLevel level) {
    switch (Objects.requireNonNull(level, "level")) {
      case AAL1:
        return custom(Duration.ofDays(30), Duration.ofDays(30));
      case AAL2:
        return custom(Duration.ofHours(1), Duration.ofHours(24));
      case AAL3:
        return custom(Duration.ofMinutes(15), Duration.ofHours(12));
      default:
        throw new IllegalArgumentException("unknown level " + level);
    }
  }

  /**
   * Custom timeouts with the preset limit (5, evict oldest), elevation (15 min) and touch interval
   * (one minute or {@code idleTimeout / 16}, whichever is shorter).
   */
  public static SessionPolicy custom(Duration idleTimeout, Duration absoluteTimeout) {
    positive(idleTimeout, "idleTimeout");
    Duration touch = Duration.ofMinutes(1);
    Duration fraction = idleTimeout.dividedBy(16);
    if (fraction.compareTo(touch) < 0) {
      touch = fraction;
    }
    return new SessionPolicy(idleTimeout, absoluteTimeout, 5, LimitAction.EVICT_OLDEST, Duration.ofMinutes(15), touch);
  }

  /** A copy with another concurrent-session limit and action. */
  public SessionPolicy withLimit(int maxSessionsPerUser, LimitAction onLimit) {
    return new SessionPolicy(idleTimeout, absoluteTimeout, maxSessionsPerUser, onLimit, elevationTimeout, touchInterval);
  }

  /** A copy with another elevation timeout. */
  public SessionPolicy withElevationTimeout(Duration elevationTimeout) {
    return new SessionPolicy(idleTimeout, absoluteTimeout, maxSessionsPerUser, onLimit, elevationTimeout, touchInterval);
  }

  /** A copy with another touch interval ({@code Duration.ZERO}: store every use). */
  public SessionPolicy withTouchInterval(Duration touchInterval) {
    return new SessionPolicy(idleTimeout, absoluteTimeout, maxSessionsPerUser, onLimit, elevationTimeout, touchInterval);
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }
}
