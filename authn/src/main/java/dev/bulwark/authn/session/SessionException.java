package dev.bulwark.authn.session;

import java.util.Objects;

/**
 * A session could not be created, validated or changed. The {@link #reason()} says why; the
 * message never contains the token.
 */
public final class SessionException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why the operation failed. */
  public enum Reason {
    /** The presented token is not 43 base64url characters in canonical form. */
    MALFORMED_TOKEN,
    /** No session has this token (never issued, revoked, rotated away or purged). */
    UNKNOWN,
    /** The session was idle for longer than its idle timeout. */
    IDLE_TIMEOUT,
    /** The session is older than its absolute timeout. */
    ABSOLUTE_TIMEOUT,
    /** The user already has the maximum number of sessions and the policy rejects new ones. */
    LIMIT_REACHED
  }

  private final Reason reason;

  public SessionException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
