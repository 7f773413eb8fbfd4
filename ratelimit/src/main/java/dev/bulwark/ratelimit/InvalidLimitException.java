package dev.bulwark.ratelimit;

/**
 * A limit that can never be enforced as written: a zero or negative rate or burst, a period too
 * short or too long, a cost of zero or above the smallest burst of the limiter (it could never be
 * admitted), a badly formed name. Thrown at build time or by {@code acquire}, before the store is
 * asked, so misuse is never turned into an admission.
 */
public class InvalidLimitException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidLimitException(String message) {
    super(message);
  }
}
