package dev.bulwark.lifecycle;

import java.util.Objects;

/**
 * A safety rail stopped a purge run before it deleted anything: the clock looks wrong, or the
 * run would delete far more than usual. An operator confirms with {@link PurgeRunner.Confirmation}.
 */
public final class PurgeRefusedException extends LifecycleException {

  private static final long serialVersionUID = 1L;

  /** Which rail tripped. */
  public enum Rail {
    /** The clock reads earlier than the last run started. */
    CLOCK_BEHIND_LAST_RUN,
    /** The clock reads far ahead of the store's reference time or of the last run. */
    CLOCK_FAR_AHEAD,
    /** The run would delete far more rows than the previous runs did. */
    UNUSUAL_VOLUME
  }

  private final Rail rail;

  public PurgeRefusedException(Rail rail, String message) {
    super(Reason.PURGE_REFUSED, message);
    this.rail = Objects.requireNonNull(rail, "rail");
  }

  /** Which rail tripped. */
  public Rail rail() {
    return rail;
  }
}
