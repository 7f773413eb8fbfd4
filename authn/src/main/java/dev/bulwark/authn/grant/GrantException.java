package dev.bulwark.authn.grant;

import java.util.Objects;

/** A grant operation was refused; {@link #reason()} says why. Nothing was changed. */
public final class GrantException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why. */
  public enum Reason {
    /** The requested duration exceeds the policy maximum. */
    DURATION_TOO_LONG,
    /** The approver is the subject: nobody approves their own access. */
    SELF_APPROVAL,
    /** No grant with this id. */
    UNKNOWN,
    /** The grant is not in a state that allows this step (e.g. approving a denied grant). */
    WRONG_STATE,
    /** Another decision on the same grant won the race. */
    CONFLICT
  }

  private final Reason reason;

  public GrantException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
