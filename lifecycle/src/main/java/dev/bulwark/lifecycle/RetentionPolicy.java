package dev.bulwark.lifecycle;

import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * How long records of one {@link DataClass} are kept, and what happens when they expire.
 *
 * <p>Deadlines are computed in UTC with calendar arithmetic ({@link #deadlineFor(Instant)}): a
 * retention of one month from 31 January ends on the last day of February, 90 days is 90 days.
 * A deadline is fixed when a record becomes eligible (created, or soft deleted); editing the
 * policy later does not move it. Only {@link Lifecycle#reevaluate} does, and it is recorded.
 *
 * @param dataClass the class this policy governs
 * @param retention how long a record is kept after it becomes eligible; positive, at most 100 years
 * @param action what happens at expiry
 * @param mode whether an authorised override may shorten the policy later
 * @param maxRecoveryWindow the longest recovery window a soft delete of this class may ask for;
 *     positive, at most one year
 * @param version increases with every recorded change (starts at 1)
 */
public record RetentionPolicy(
    DataClass dataClass,
    Period retention,
    Action action,
    Mode mode,
    Period maxRecoveryWindow,
    int version) {

  /** The default recovery window of a soft delete: 30 days. */
  public static final Period DEFAULT_RECOVERY_WINDOW = Period.ofDays(30);

  /** What happens to a record when its deadline passes. */
  public enum Action {
    /** Deleted from the host's table. */
    PURGE,
    /** Handed to the host's {@link dev.bulwark.lifecycle.spi.ExpiryHandler#anonymise} and kept. */
    ANONYMISE,
    /** Handed to the host's {@link dev.bulwark.lifecycle.spi.ExpiryHandler#archive}, then deleted. */
    ARCHIVE
  }

  /** Who may change the retention period once the policy is in force (S3 Object Lock semantics). */
  public enum Mode {
    /** Lengthening is free; shortening needs an authorised override, which is recorded. */
    GOVERNANCE,
    /** The retention period can only be lengthened, and the mode never relaxed. */
    COMPLIANCE
  }

  public RetentionPolicy {
    Objects.requireNonNull(dataClass, "dataClass");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(mode, "mode");
    Periods.requireSane(retention, "retention");
    Periods.requireSane(maxRecoveryWindow, "maxRecoveryWindow");
    if (Periods.minDays(maxRecoveryWindow) > 366) {
      throw new IllegalArgumentException("maxRecoveryWindow must be at most one year");
    }
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1");
    }
  }

  /** A governance-mode purge policy with the default 30-day recovery window, version 1. */
  public static RetentionPolicy purgeAfter(DataClass dataClass, Period retention) {
    return new RetentionPolicy(dataClass, retention, Action.PURGE, Mode.GOVERNANCE, DEFAULT_RECOVERY_WINDOW, 1);
  }

  /** The default for {@link DataClass#AUDIT_LOG}: purge after 90 days, governance mode. */
  public static RetentionPolicy auditLogDefault() {
    return purgeAfter(DataClass.AUDIT_LOG, Period.ofDays(90));
  }

  /** The default for {@link DataClass#SESSION}: purge after 30 days, governance mode. */
  public static RetentionPolicy sessionDefault() {
    return purgeAfter(DataClass.SESSION, Period.ofDays(30));
  }

  public RetentionPolicy withAction(Action newAction) {
    return new RetentionPolicy(dataClass, retention, newAction, mode, maxRecoveryWindow, version);
  }

  public RetentionPolicy withMode(Mode newMode) {
    return new RetentionPolicy(dataClass, retention, action, newMode, maxRecoveryWindow, version);
  }

  public RetentionPolicy withRetention(Period newRetention) {
    return new RetentionPolicy(dataClass, newRetention, action, mode, maxRecoveryWindow, version);
  }

  public RetentionPolicy withMaxRecoveryWindow(Period window) {
    return new RetentionPolicy(dataClass, retention, action, mode, window, version);
  }

  RetentionPolicy withVersion(int newVersion) {
    return new RetentionPolicy(dataClass, retention, action, mode, maxRecoveryWindow, newVersion);
  }

  /** The UTC, calendar-correct deadline of a record that became eligible at {@code eligibleAt}. */
  public Instant deadlineFor(Instant eligibleAt) {
    return plus(eligibleAt, retention);
  }

  /** {@code instant} plus {@code period}, computed on the UTC calendar. */
  public static Instant plus(Instant instant, Period period) {
    return instant.atOffset(ZoneOffset.UTC).plus(period).toInstant();
  }

  /** A short, stable description for evidence records, such as {@code audit-log@v2:P90D/PURGE/GOVERNANCE}. */
  public String describe() {
    return dataClass.name() + "@v" + version + ":" + retention + "/" + action + "/" + mode;
  }
}
