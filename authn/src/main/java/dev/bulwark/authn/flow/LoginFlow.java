package dev.bulwark.authn.flow;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.internal.EventDelivery;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.LockoutStatus;
import dev.bulwark.authn.password.InvalidPasswordHashException;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.recovery.RecoveryCodes;
import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.TotpVerification;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The login flow, with its steps in the order that keeps it safe:
 *
 * <ol>
 *   <li><b>Canonical identifier</b> ({@link AccountDirectory#canonicalIdentifier}, by default
 *       PRECIS UsernameCaseMapped): one spelling per account, for the lookup and the counters.
 *   <li><b>Lockout reservation</b> for the identifier (account, password factor, source), before
 *       any password work: the attempt is counted atomically first ({@link Lockout#reserve}), so
 *       parallel guesses get no more password checks than sequential ones. Unknown identifiers
 *       are counted and locked like real ones.
 *   <li><b>Password</b>: Argon2id verify; for an unknown identifier, the same work against a dummy
 *       hash, so timing does not reveal which accounts exist. A wrong password keeps its count; a
 *       right one gives it back. An outdated hash is re-hashed through
 *       {@link AccountDirectory#updatePasswordHash}.
 *   <li><b>Second factor</b> when the {@link MfaPolicy} requires it (admins always) or the account
 *       enrolled one: TOTP (with replay rejection) or a recovery code, each with its own lockout
 *       counter, reserved before the code is checked in the same way. In
 *       {@linkplain Builder#oneStep one-step mode} password and code are reserved together and
 *       every wrong combination answers the same.
 *   <li><b>Result</b>: AAL1 with {PASSWORD}, or AAL2 with {PASSWORD, TOTP|RECOVERY_CODE}. Success
 *       resets the account's counters and those of the factors used, and gives back the source's.
 * </ol>
 *
 * <p>Events ({@link SecurityEventType}): {@code authn_login_success},
 * {@code authn_login_successafterfail}, {@code authn_login_fail} (details {@code reason}:
 * {@code locked}, {@code bad_credentials}, {@code mfa_enrollment_required}), {@code authn_mfa_fail};
 * the lockout, TOTP and recovery components add {@code authn_login_lock},
 * {@code authn_token_reuse} and {@code authn_recovery_code_used}. Event subjects are the
 * identifier as typed; no event field says whether the account exists.
 *
 * <p>Thread-safe and stateless between calls: any node can serve any step.
 */
public final class LoginFlow {

  private final AccountDirectory accounts;
  private final PasswordHasher hasher;
  private final Lockout lockout;
  private final Optional<TotpAuthenticator> totp;
  private final Optional<RecoveryCodes> recoveryCodes;
  private final MfaPolicy mfaPolicy;
  private final boolean oneStep;
  private final InstantSource clock;
  private final SecurityEventListener listener;

  private LoginFlow(Builder b) {
    this.accounts = b.accounts;
    this.hasher = b.hasher;
    this.lockout = b.lockout;
    this.totp = Optional.ofNullable(b.totp);
    this.recoveryCodes = Optional.ofNullable(b.recoveryCodes);
    this.mfaPolicy = b.mfaPolicy;
    this.oneStep = b.oneStep;
    this.clock = b.clock;
    this.listener = b.listener;
  }

  public static Builder builder(AccountDirectory accounts, PasswordHasher hasher, Lockout lockout) {
    return new Builder(accounts, hasher, lockout);
  }

  /** Runs one login attempt. */
  public LoginResult login(LoginRequest request) {
    Objects.requireNonNull(request, "request");
    Optional<String> source = request.source();
    Optional<SecondFactorResponse> secondFactor = request.secondFactor();
    Optional<String> canonical = canonical(request.username());
    // An identifier that cannot be one is counted under the text typed: no account has that key.
    String username = canonical.orElse(request.username());

    Set<Factor> presented = EnumSet.of(Factor.PASSWORD);
    if (oneStep && secondFactor.isPresent()) {
      // One step: the code's counter is charged with the password's, before either is checked, so
      // that neither the answer nor the lockout state depends on whether the password was right.
      presented.add(secondFactor.get().factor());
    }
    Lockout.Attempt attempt = lockout.reserve(username, presented, source);
    if (!attempt.admitted()) {
      fail(SecurityEventType.LOGIN_FAIL, request, Map.of("reason", "locked", "factor", "password"));
      return LoginResult.locked(attempt.status().retryAfter());
    }

    Optional<Account> found = canonical.isPresent() ? accounts.find(username) : Optional.empty();
    boolean passwordOk;
    if (found.isEmpty()) {
      passwordOk = hasher.verifyDummy(request.password());
    } else {
      passwordOk = verifyPassword(request, found.get());
    }
    Instant passwordAt = clock.instant();
    if (!passwordOk) {
      lockout.failed(attempt);
      fail(SecurityEventType.LOGIN_FAIL, request, Map.of("reason", "bad_credentials", "factor", "password"));
      return LoginResult.failed();
    }
    Account account = found.get();
    rehashIfNeeded(request, account);

    Set<Factor> enrolled = enrolledSecondFactors(account.accountId());
    if (!mfaPolicy.requiresSecondFactor(account) && enrolled.isEmpty()) {
      lockout.refund(attempt);
      return succeed(request, username, account, AssuranceLevel.AAL1, Map.of(Factor.PASSWORD, passwordAt));
    }
    if (enrolled.isEmpty()) {
      lockout.refund(attempt);
      fail(SecurityEventType.LOGIN_FAIL, request, Map.of("reason", "mfa_enrollment_required", "factor", "password"));
      return LoginResult.enrollmentRequired();
    }
    if (secondFactor.isEmpty()) {
      if (oneStep) {
        // The same answer, and the same count, as a wrong password.
        lockout.failed(attempt);
        fail(SecurityEventType.LOGIN_FAIL, request, Map.of("reason", "second_factor_missing", "factor", "password"));
        return LoginResult.failed();
      }
      lockout.refund(attempt);
      return LoginResult.secondFactorRequired(enrolled);
    }
    SecondFactorResponse response = secondFactor.get();
    Factor factor = response.factor();
    String factorName = factor.name().toLowerCase(Locale.ROOT);
    Lockout.Attempt codeAttempt;
    if (oneStep) {
      codeAttempt = attempt;
    } else {
      lockout.refund(attempt);
      codeAttempt = lockout.reserve(username, factor, source);
      if (!codeAttempt.admitted()) {
        fail(SecurityEventType.MFA_FAIL, request, Map.of("reason", "locked", "factor", factorName));
        return LoginResult.locked(codeAttempt.status().retryAfter());
      }
    }
    String outcome = enrolled.contains(factor) ? verifySecondFactor(account, response) : "not_enrolled";
    Instant secondFactorAt = clock.instant();
    if (!outcome.equals("accepted")) {
      lockout.failed(codeAttempt);
      fail(SecurityEventType.MFA_FAIL, request, Map.of("reason", outcome, "factor", factorName));
      return LoginResult.failed();
    }
    lockout.refund(codeAttempt);
    return succeed(request, username, account, AssuranceLevel.AAL2,
        Map.of(Factor.PASSWORD, passwordAt, factor, secondFactorAt));
  }

  /** The canonical identifier, or empty when the typed text cannot be an identifier. */
  private Optional<String> canonical(String typed) {
    String c;
    try {
      c = accounts.canonicalIdentifier(typed);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (c == null || c.isEmpty() || c.length() > Lockout.MAX_IDENTIFIER_CHARS) {
      return Optional.empty();
    }
    return Optional.of(c);
  }

  private boolean verifyPassword(LoginRequest request, Account account) {
    try {
      return hasher.verify(request.password(), account.passwordHash());
    } catch (InvalidPasswordHashException e) {
      // A corrupt or foreign stored hash never authenticates. It costs the same work as any other
      // failure, and is reported without the hash itself.
      hasher.verifyDummy(request.password());
      emit(SecurityEventType.LOGIN_FAIL, request,
          Map.of("reason", "stored_hash_unusable", "detail", e.reason().name().toLowerCase(Locale.ROOT)));
      return false;
    }
  }

  private void rehashIfNeeded(LoginRequest request, Account account) {
    try {
      if (hasher.needsRehash(account.passwordHash())) {
        accounts.updatePasswordHash(account.accountId(), hasher.hash(request.password()));
      }
    } catch (RuntimeException e) {
      // Re-hashing is an upgrade, not a condition of login; the next login tries again.
    }
  }

  private Set<Factor> enrolledSecondFactors(String accountId) {
    Set<Factor> enrolled = EnumSet.noneOf(Factor.class);
    if (totp.isPresent() && totp.get().isEnrolled(accountId)) {
      enrolled.add(Factor.TOTP);
    }
    if (recoveryCodes.isPresent() && recoveryCodes.get().remaining(accountId) > 0) {
      enrolled.add(Factor.RECOVERY_CODE);
    }
    return enrolled;
  }

  /** "accepted", or the reason the code was refused. */
  private String verifySecondFactor(Account account, SecondFactorResponse response) {
    if (response.factor() == Factor.TOTP) {
      try {
        TotpVerification v = totp.orElseThrow().verify(account.accountId(), response.code());
        return v.accepted() ? "accepted" : v.outcome().name().toLowerCase(Locale.ROOT);
      } catch (GeneralSecurityException e) {
        return "seed_unavailable";
      }
    }
    return recoveryCodes.orElseThrow().redeem(account.accountId(), response.code()) ? "accepted" : "rejected";
  }

  private LoginResult succeed(LoginRequest request, String username, Account account, AssuranceLevel level,
      Map<Factor, Instant> factorTimes) {
    Set<Factor> factors = EnumSet.copyOf(factorTimes.keySet());
    boolean hadFailures = lockout.accountAttempts(username).failures() > 0;
    lockout.recordSuccess(username, factors);
    Map<String, String> details = new TreeMap<>();
    details.put("account_id", account.accountId());
    details.put("aal", level.name());
    details.put("factors", factors.stream().map(f -> f.name().toLowerCase(Locale.ROOT)).sorted()
        .reduce((a, b) -> a + "," + b).orElse(""));
    emit(hadFailures ? SecurityEventType.LOGIN_SUCCESS_AFTER_FAIL : SecurityEventType.LOGIN_SUCCESS, request, details);
    return LoginResult.success(account.accountId(), level, factorTimes);
  }

  private void fail(String type, LoginRequest request, Map<String, String> details) {
    emit(type, request, details);
  }

  private void emit(String type, LoginRequest request, Map<String, String> details) {
    EventDelivery.deliver(listener, new SecurityEvent(type, Optional.of(request.username()), clock.instant(), request.source(), details));
  }

  @Override
  public String toString() {
    return "LoginFlow[" + mfaPolicy + (oneStep ? ", one step" : "") + ", totp=" + totp.isPresent() + ", recoveryCodes=" + recoveryCodes.isPresent() + "]";
  }

  /** Configures a {@link LoginFlow}. */
  public static final class Builder {
    private final AccountDirectory accounts;
    private final PasswordHasher hasher;
    private final Lockout lockout;
    private TotpAuthenticator totp;
    private RecoveryCodes recoveryCodes;
    private MfaPolicy mfaPolicy = MfaPolicy.adminsOnly();
    private boolean oneStep;
    private InstantSource clock = Clock.systemUTC();
    private SecurityEventListener listener = SecurityEventListener.NONE;

    private Builder(AccountDirectory accounts, PasswordHasher hasher, Lockout lockout) {
      this.accounts = Objects.requireNonNull(accounts, "accounts");
      this.hasher = Objects.requireNonNull(hasher, "hasher");
      this.lockout = Objects.requireNonNull(lockout, "lockout");
    }

    public Builder totp(TotpAuthenticator totp) {
      this.totp = Objects.requireNonNull(totp, "totp");
      return this;
    }

    public Builder recoveryCodes(RecoveryCodes recoveryCodes) {
      this.recoveryCodes = Objects.requireNonNull(recoveryCodes, "recoveryCodes");
      return this;
    }

    /** Who must use a second factor. Default {@link MfaPolicy#adminsOnly()}. */
    public Builder mfaPolicy(MfaPolicy policy) {
      this.mfaPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * One-step mode: an account that needs a second factor must send it with the password, and a
     * wrong password, a right password without a code and a right password with a wrong code all
     * get {@link LoginResult.Outcome#FAILED} and count alike (the code's counter is charged
     * together with the password's, before either is checked). A stolen password list can then
     * not be checked against the site without the second factor. {@code SECOND_FACTOR_REQUIRED}
     * is never answered; the client always shows the code field. Default off (two steps: a right
     * password alone answers {@code SECOND_FACTOR_REQUIRED}).
     */
    public Builder oneStep(boolean oneStep) {
      this.oneStep = oneStep;
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder listener(SecurityEventListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public LoginFlow build() {
      return new LoginFlow(this);
    }
  }
}
