package dev.bulwark.authn.totp;

/**
 * An {@code otpauth://} URI that {@link OtpAuthUri#parse} refuses. The message names the problem
 * and never contains the secret.
 */
public final class InvalidOtpAuthUriException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidOtpAuthUriException(String message) {
    super(message);
  }
}
