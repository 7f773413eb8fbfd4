package dev.bulwark.ratelimit;

/**
 * A {@link RateLimitKey} that cannot be used: no part, a part that is empty, or an encoded key
 * longer than {@link RateLimitKey#MAX_LENGTH} characters. The message names the part, never its
 * value (keys may hold principals and addresses).
 */
public class InvalidKeyException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidKeyException(String message) {
    super(message);
  }
}
