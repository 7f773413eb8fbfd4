package dev.bulwark.sso;

import java.util.Objects;

/**
 * A single sign-on message was refused. The {@link #reason()} is safe to log; the message never
 * contains the input, key material or which secret check failed beyond the reason code. Show the
 * user a generic "sign-in failed" page, never this exception.
 */
public final class SsoRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final RefusalReason reason;

  public SsoRefusedException(RefusalReason reason, String detail) {
    super(reason + ": " + Objects.requireNonNull(detail, "detail"));
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public SsoRefusedException(RefusalReason reason, String detail, Throwable cause) {
    this(reason, detail);
    initCause(cause);
  }

  /** Why the message was refused. */
  public RefusalReason reason() {
    return reason;
  }
}
