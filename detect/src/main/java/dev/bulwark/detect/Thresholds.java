package dev.bulwark.detect;

import java.time.Duration;
import java.util.Objects;

/**
 * Every window and limit the detectors use. {@link #DEFAULTS} are the thresholds the published
 * precision and recall were measured at (detect/README.md). Immutable; change one with the
 * {@code with*} methods.
 *
 * @param accountWindow window of the per-account failure velocity and ratio (default 15 min)
 * @param accountFailuresMedium failures of one account in the window that raise MEDIUM (5)
 * @param accountFailuresHigh ... that raise HIGH (20)
 * @param ratioMinAttempts attempts in the window before the failure ratio counts (8)
 * @param failureRatio failure ratio at or above which MEDIUM is raised (0.9)
 * @param sourceWindow window of distinct accounts per source (1 h)
 * @param sourceDistinctAccounts accounts with failures from one source that raise HIGH (8)
 * @param globalAlpha EWMA weight of a new one-minute bucket of the global failure count (0.05)
 * @param globalSigmas how many standard deviations above the EWMA mean count as a spike (6)
 * @param globalMinFailuresPerMinute a spike needs at least this many failures in the last minute (30)
 * @param globalWarmupMinutes minutes of history before the baseline is trusted (30; before, only the minimum applies)
 * @param travelSpeedKmh speed above which two logins are impossible travel (900)
 * @param travelMinDistanceKm distance (after subtracting both accuracies) below which travel is ignored (300)
 * @param mfaWindow window of the MFA-fatigue detector (10 min)
 * @param mfaChallenges second-factor requests for one account in the window that raise HIGH (5)
 * @param signupWindow window of sign-ups per source (10 min)
 * @param signupsPerSource sign-ups from one source in the window that raise MEDIUM (20)
 * @param maxTrackedKeys accounts, sources and sessions each kept in memory (least recently used dropped; 1,000,000)
 */
public record Thresholds(Duration accountWindow, int accountFailuresMedium, int accountFailuresHigh, int ratioMinAttempts,
    double failureRatio, Duration sourceWindow, int sourceDistinctAccounts, double globalAlpha, double globalSigmas,
    int globalMinFailuresPerMinute, int globalWarmupMinutes, double travelSpeedKmh, double travelMinDistanceKm,
    Duration mfaWindow, int mfaChallenges, Duration signupWindow, int signupsPerSource, int maxTrackedKeys) {

  public static final Thresholds DEFAULTS = new Thresholds(Duration.ofMinutes(15), 5, 20, 8, 0.9, Duration.ofHours(1), 8,
      0.05, 6.0, 30, 30, 900, 300, Duration.ofMinutes(10), 5, Duration.ofMinutes(10), 20, 1_000_000);

  public Thresholds {
    for (Duration d : new Duration[] {accountWindow, sourceWindow, mfaWindow, signupWindow}) {
      Objects.requireNonNull(d, "window");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("windows must be positive");
      }
    }
    if (accountFailuresMedium < 1 || accountFailuresHigh < accountFailuresMedium || ratioMinAttempts < 1
        || sourceDistinctAccounts < 2 || mfaChallenges < 2 || signupsPerSource < 2 || globalMinFailuresPerMinute < 1
        || globalWarmupMinutes < 0 || maxTrackedKeys < 16 || accountFailuresHigh > 10_000) {
      throw new IllegalArgumentException("counts out of range");
    }
    if (!(failureRatio > 0 && failureRatio <= 1) || !(globalAlpha > 0 && globalAlpha < 1) || !(globalSigmas > 0)
        || !(travelSpeedKmh > 0) || !(travelMinDistanceKm >= 0)) {
      throw new IllegalArgumentException("ratios and speeds out of range");
    }
  }

  public Thresholds withAccountFailures(int medium, int high) {
    return new Thresholds(accountWindow, medium, high, ratioMinAttempts, failureRatio, sourceWindow,
        sourceDistinctAccounts, globalAlpha, globalSigmas, globalMinFailuresPerMinute, globalWarmupMinutes,
        travelSpeedKmh, travelMinDistanceKm, mfaWindow, mfaChallenges, signupWindow, signupsPerSource, maxTrackedKeys);
  }

  public Thresholds withSourceDistinctAccounts(int accounts) {
    return new Thresholds(accountWindow, accountFailuresMedium, accountFailuresHigh, ratioMinAttempts, failureRatio,
        sourceWindow, accounts, globalAlpha, globalSigmas, globalMinFailuresPerMinute, globalWarmupMinutes,
        travelSpeedKmh, travelMinDistanceKm, mfaWindow, mfaChallenges, signupWindow, signupsPerSource, maxTrackedKeys);
  }

  public Thresholds withGlobal(double sigmas, int minFailuresPerMinute, int warmupMinutes) {
    return new Thresholds(accountWindow, accountFailuresMedium, accountFailuresHigh, ratioMinAttempts, failureRatio,
        sourceWindow, sourceDistinctAccounts, globalAlpha, sigmas, minFailuresPerMinute, warmupMinutes,
        travelSpeedKmh, travelMinDistanceKm, mfaWindow, mfaChallenges, signupWindow, signupsPerSource, maxTrackedKeys);
  }

  public Thresholds withMaxTrackedKeys(int keys) {
    return new Thresholds(accountWindow, accountFailuresMedium, accountFailuresHigh, ratioMinAttempts, failureRatio,
        sourceWindow, sourceDistinctAccounts, globalAlpha, globalSigmas, globalMinFailuresPerMinute, globalWarmupMinutes,
        travelSpeedKmh, travelMinDistanceKm, mfaWindow, mfaChallenges, signupWindow, signupsPerSource, keys);
  }
}
