package dev.bulwark.authn.flow;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The answer to a {@link LoginRequest}.
 *
 * <p>{@link Outcome#FAILED} is deliberately uniform: unknown account, wrong password, wrong,
 * malformed or replayed code all look the same to the caller (events tell the audit log more).
 * {@link Outcome#LOCKED} is decided before any password check, for known and unknown accounts
 * alike, so it reveals neither existence nor whether the password was right.
 *
 * @param outcome what happened
 * @param accountId the authenticated account; present only on {@link Outcome#SUCCESS}
 * @param assuranceLevel AAL1 (password) or AAL2 (password and a second factor); present only on success
 * @param factors the factors verified; empty unless {@link Outcome#SUCCESS}
 * @param acceptedSecondFactors for {@link Outcome#SECOND_FACTOR_REQUIRED}: the factors the account can use
 * @param retryAfter for {@link Outcome#LOCKED}: how long to wait ({@link Duration#ZERO} when only an admin can unlock)
 */
public record LoginResult(
    Outcome outcome,
    Optional<String> accountId,
    Optional<AssuranceLevel> assuranceLevel,
    Set<Factor> factors,
    Set<Factor> acceptedSecondFactors,
    Duration retryAfter) {

  /** The possible outcomes of a login. Only {@link #SUCCESS} authenticates. */
  public enum Outcome {
    SUCCESS,
    FAILED,
    LOCKED,
    /** The password was right; send it again with a second-factor code. */
    SECOND_FACTOR_REQUIRED,
    /** The password was right, but policy requires a second factor and the account has none. */
    SECOND_FACTOR_ENROLLMENT_REQUIRED
  }

  public LoginResult {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(assuranceLevel, "assuranceLevel");
    factors = Set.copyOf(factors);
    acceptedSecondFactors = Set.copyOf(acceptedSecondFactors);
    Objects.requireNonNull(retryAfter, "retryAfter");
    if ((outcome == Outcome.SUCCESS) != (accountId.isPresent() && assuranceLevel.isPresent() && !factors.isEmpty())) {
      throw new IllegalArgumentException("accountId, assuranceLevel and factors are present exactly on SUCCESS");
    }
  }

  static LoginResult success(String accountId, AssuranceLevel level, Set<Factor> factors) {
    return new LoginResult(Outcome.SUCCESS, Optional.of(accountId), Optional.of(level), factors, Set.of(), Duration.ZERO);
  }

  static LoginResult failed() {
    return new LoginResult(Outcome.FAILED, Optional.empty(), Optional.empty(), Set.of(), Set.of(), Duration.ZERO);
  }

  static LoginResult locked(Duration retryAfter) {
    return new LoginResult(Outcome.LOCKED, Optional.empty(), Optional.empty(), Set.of(), Set.of(), retryAfter);
  }

  static LoginResult secondFactorRequired(Set<Factor> accepted) {
    return new LoginResult(Outcome.SECOND_FACTOR_REQUIRED, Optional.empty(), Optional.empty(), Set.of(), accepted, Duration.ZERO);
  }

  static LoginResult enrollmentRequired() {
    return new LoginResult(Outcome.SECOND_FACTOR_ENROLLMENT_REQUIRED, Optional.empty(), Optional.empty(), Set.of(), Set.of(),
        Duration.ZERO);
  }

  public boolean succeeded() {
    return outcome == Outcome.SUCCESS;
  }
}
