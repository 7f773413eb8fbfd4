package dev.bulwark.authn.lockout;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether an attempt may proceed now.
 *
 * @param state {@link State#OPEN}, {@link State#THROTTLED} (wait {@code retryAfter}), or
 *     {@link State#DISABLED} (until an admin unlocks)
 * @param retryAfter how long to wait; zero when open, {@link Duration#ZERO} when disabled
 */
public record LockoutStatus(State state, Duration retryAfter) {

  /** The three lockout states. */
  public enum State {
    OPEN,
    THROTTLED,
    DISABLED
  }

  public static final LockoutStatus OPEN = new LockoutStatus(State.OPEN, Duration.ZERO);
  public static final LockoutStatus DISABLED = new LockoutStatus(State.DISABLED, Duration.ZERO);

  public LockoutStatus {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(retryAfter, "retryAfter");
    if (retryAfter.isNegative() || (state != State.THROTTLED) != retryAfter.isZero()) {
      throw new IllegalArgumentException("retryAfter must be positive exactly when THROTTLED");
    }
  }

  public static LockoutStatus throttled(Duration retryAfter) {
    return new LockoutStatus(State.THROTTLED, retryAfter);
  }

  public boolean open() {
    return state == State.OPEN;
  }

  /** The more restrictive of this and {@code other}. */
  public LockoutStatus strictest(LockoutStatus other) {
    if (state == State.DISABLED || other.state == State.DISABLED) {
      return DISABLED;
    }
    return retryAfter.compareTo(other.retryAfter) >= 0 ? this : other;
  }
}
