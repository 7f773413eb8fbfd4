package dev.bulwark.lifecycle;

/** A policy change or soft delete that the policy's mode or limits forbid. */
public final class PolicyViolationException extends LifecycleException {

  private static final long serialVersionUID = 1L;

  public PolicyViolationException(String message) {
    super(Reason.POLICY_VIOLATION, message);
  }
}
