package dev.bulwark.authn.token;

import java.util.Objects;

/**
 * A JWT was rejected. {@link #reason()} tells the host which check failed (for logs and metrics);
 * do not pass it on to the client. The message never contains the token.
 */
public final class TokenException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Which check failed. */
  public enum Reason {
    /** Not a compact JWS / not JSON / too large / missing a required part. */
    MALFORMED,
    /** Unsigned ({@code none}), encrypted, HMAC, or any algorithm not on the allow-list. */
    ALGORITHM_NOT_ALLOWED,
    /** No {@code kid}, or no key with that {@code kid} in the trusted set (or the key retired). */
    UNKNOWN_KEY,
    /** The key's type, curve, {@code alg} or {@code use} does not fit the header's algorithm. */
    KEY_MISMATCH,
    /** The signature does not verify. */
    BAD_SIGNATURE,
    /** {@code iss} is not the expected issuer. */
    WRONG_ISSUER,
    /** {@code aud} does not contain the expected audience (or {@code azp} names another party). */
    WRONG_AUDIENCE,
    /** {@code exp} passed (beyond the allowed skew). */
    EXPIRED,
    /** {@code nbf} or {@code iat} is in the future (beyond the allowed skew). */
    NOT_YET_VALID,
    /** A required claim ({@code sub}, {@code exp}, {@code iat}, ...) is missing or has the wrong type. */
    MISSING_CLAIM,
    /** The {@code nonce} is absent or differs from the one sent in the authentication request. */
    NONCE_MISMATCH
  }

  private final Reason reason;

  public TokenException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public TokenException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
