package dev.bulwark.spring.security;

import dev.bulwark.authn.Factor;
import dev.bulwark.authn.flow.LoginResult;
import java.time.Duration;
import java.util.Set;
import org.springframework.security.core.AuthenticationException;

/**
 * A login that {@link BulwarkAuthenticationProvider} refused, with Bulwark's outcome. Bulwark has
 * already audited it, so Spring Security's failure event for it is not audited a second time.
 * The message is the same for an unknown account and a wrong password.
 */
public final class BulwarkAuthenticationException extends AuthenticationException {

  private static final long serialVersionUID = 1L;

  private final LoginResult.Outcome outcome;
  private final Duration retryAfter;
  private final Set<Factor> acceptedSecondFactors;

  BulwarkAuthenticationException(LoginResult result) {
    super(message(result.outcome()));
    this.outcome = result.outcome();
    this.retryAfter = result.retryAfter();
    this.acceptedSecondFactors = Set.copyOf(result.acceptedSecondFactors());
  }

  private static String message(LoginResult.Outcome outcome) {
    switch (outcome) {
      case LOCKED:
        return "Too many attempts; try again later";
      case SECOND_FACTOR_REQUIRED:
        return "A second factor is required";
      case SECOND_FACTOR_ENROLLMENT_REQUIRED:
        return "A second factor must be enrolled";
      default:
        return "Bad credentials";
    }
  }

  /** FAILED, LOCKED, SECOND_FACTOR_REQUIRED or SECOND_FACTOR_ENROLLMENT_REQUIRED. */
  public LoginResult.Outcome outcome() {
    return outcome;
  }

  /** For LOCKED: how long to wait (zero when only an administrator can unlock); see {@link RetryAfter}. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** For SECOND_FACTOR_REQUIRED: the factors the account can answer with. */
  public Set<Factor> acceptedSecondFactors() {
    return acceptedSecondFactors;
  }
}
