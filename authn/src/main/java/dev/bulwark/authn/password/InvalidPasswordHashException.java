package dev.bulwark.authn.password;

import java.util.Objects;

/**
 * A stored password hash that cannot be used: not a well-formed PHC string, an algorithm other
 * than Argon2id v1.3, parameters out of range, or a pepper key id that is not configured. The
 * message names the problem but never contains the stored hash, salt or password.
 */
public final class InvalidPasswordHashException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** Why the hash was refused. */
  public enum Reason {
    /** Not a PHC string of the expected shape, or bad Base64. */
    MALFORMED,
    /** A PHC string for another algorithm or Argon2 version. */
    UNSUPPORTED_ALGORITHM,
    /** Parameters outside the accepted ranges. */
    PARAMETERS_OUT_OF_RANGE,
    /** Hashed with a pepper whose key id this hasher does not hold. */
    UNKNOWN_PEPPER_KEY
  }

  private final Reason reason;

  public InvalidPasswordHashException(Reason reason, String message) {
    super(Objects.requireNonNull(message, "message"));
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
