package dev.bulwark.authn.lockout;

import java.time.Instant;
import java.util.Objects;

/**
 * The failure record of one lockout key (an account, an account's factor, or a source address).
 *
 * @param failures consecutive failures counted since the last reset (0 for none)
 * @param lastFailureAt when the last failure was recorded ({@link Instant#EPOCH} when none)
 * @param disabled true once the failures reached the rule's disable threshold: stays until
 *     an explicit reset (a successful login of the same account or an admin unlock)
 */
public record Attempts(long failures, Instant lastFailureAt, boolean disabled) {

  /** No failures on record. */
  public static final Attempts NONE = new Attempts(0, Instant.EPOCH, false);

  public Attempts {
    Objects.requireNonNull(lastFailureAt, "lastFailureAt");
    if (failures < 0) {
      throw new IllegalArgumentException("failures must be >= 0");
    }
  }
}
