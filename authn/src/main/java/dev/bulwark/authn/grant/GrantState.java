package dev.bulwark.authn.grant;

/** The life of a {@link Grant}: PENDING → APPROVED → (EXPIRED | REVOKED), or PENDING → (DENIED | EXPIRED). */
public enum GrantState {
  /** Requested, waiting for someone other than the subject to decide. */
  PENDING,
  /** Approved; active within its window. */
  APPROVED,
  /** Refused by an approver. */
  DENIED,
  /** Ended early by an approver, an administrator or the subject. */
  REVOKED,
  /** Its window passed (or the request waited longer than the policy allows). */
  EXPIRED;

  /** True when no further transition is possible. */
  public boolean isFinal() {
    return this == DENIED || this == REVOKED || this == EXPIRED;
  }
}
