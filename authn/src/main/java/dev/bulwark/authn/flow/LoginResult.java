package dev.bulwark.authn.flow;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
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
 * @param factorTimes when each factor in {@code factors} was verified, on the flow's clock: exactly
 *     the keys of {@code factors} (empty unless {@link Outcome#SUCCESS}); hand it to
 *     {@code Sessions.create} (or use {@code Sessions.create(LoginResult, …)}) so the session
 *     records the real verification times that step-up's recency checks read
 */
public record LoginResult(
    Outcome outcome,
    Optional<String> accountId,
    Optional<AssuranceLevel> assuranceLevel,
    Set<Factor> factors,
    Set<Factor> acceptedSecondFactors,
    Duration retryAfter,
    Map<Factor, Instant> factorTimes) {

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
    Objects.requireNonNull(factorTimes, "factorTimes");
    EnumMap<Factor, Instant> times = new EnumMap<>(Factor.class);
    factorTimes.forEach((f, t) -> times.put(Objects.requireNonNull(f, "factor"), Objects.requireNonNull(t, "factor time")));
    if (!times.keySet().equals(factors)) {
      throw new IllegalArgumentException("factorTimes must name exactly the verified factors");
    }
    factorTimes = Collections.unmodifiableMap(times);
    if ((outcome == Outcome.SUCCESS) != (accountId.isPresent() && assuranceLevel.isPresent() && !factors.isEmpty())) {
      throw new IllegalArgumentException("accountId, assuranceLevel and factors are present exactly on SUCCESS");
    }
  }

  static LoginResult success(String accountId, AssuranceLevel level, Map<Factor, Instant> factorTimes) {
    return new LoginResult(Outcome.SUCCESS, Optional.of(accountId), Optional.of(level), factorTimes.keySet(), Set.of(),
        Duration.ZERO, factorTimes);
  }

  static LoginResult failed() {
    return new LoginResult(Outcome.FAILED, Optional.empty(), Optional.empty(), Set.of(), Set.of(), Duration.ZERO, Map.of());
  }

  static LoginResult locked(Duration retryAfter) {
    return new LoginResult(Outcome.LOCKED, Optional.empty(), Optional.empty(), Set.of(), Set.of(), retryAfter, Map.of());
  }

  static LoginResult secondFactorRequired(Set<Factor> accepted) {
    return new LoginResult(Outcome.SECOND_FACTOR_REQUIRED, Optional.empty(), Optional.empty(), Set.of(), accepted, Duration.ZERO, Map.of());
  }

  static LoginResult enrollmentRequired() {
    return new LoginResult(Outcome.SECOND_FACTOR_ENROLLMENT_REQUIRED, Optional.empty(), Optional.empty(), Set.of(), Set.of(),
        Duration.ZERO, Map.of());
  }

  /** When {@code factor} was verified in this login; empty if it was not. */
  public Optional<Instant> verifiedAt(Factor factor) {
    return Optional.ofNullable(factorTimes.get(factor));
  }

  public boolean succeeded() {
    return outcome == Outcome.SUCCESS;
  }
}
