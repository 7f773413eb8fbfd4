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
 *   <li><b>Lockout check</b> for the identifier (account, password factor, source), before any
 *       password work. Unknown identifiers are counted and locked like real ones.
 *   <li><b>Password</b>: Argon2id verify; for an unknown identifier, the same work against a dummy
 *       hash, so timing does not reveal which accounts exist. An outdated hash is re-hashed
 *       through {@link AccountDirectory#updatePasswordHash}.
 *   <li><b>Second factor</b> when the {@link MfaPolicy} requires it (admins always) or the account
 *       enrolled one: TOTP (with replay rejection) or a recovery code, each with its own lockout
 *       counter.
 *   <li><b>Result</b>: AAL1 with {PASSWORD}, or AAL2 with {PASSWORD, TOTP|RECOVERY_CODE}. Success
 *       resets the account's counters and those of the factors used.
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
  private final InstantSource clock;
  private final SecurityEventListener listener;

  private LoginFlow(Builder b) {
    this.accounts = b.accounts;
    this.hasher = b.hasher;
    this.lockout = b.lockout;
    this.totp = Optional.ofNullable(b.totp);
    this.recoveryCodes = Optional.ofNullable(b.recoveryCodes);
    this.mfaPolicy = b.mfaPolicy;
    this.clock = b.clock;
    this.listener = b.listener;
  }

  public static Builder builder(AccountDirectory accounts, PasswordHasher hasher, Lockout lockout) {
    return new Builder(accounts, hasher, lockout);
  }

  /** Runs one login attempt. */
  public LoginResult login(LoginRequest request) {
    Objects.requireNonNull(request, "request");
    String username = request.username();
    Optional<String> source = request.source();

    LockoutStatus status = lockout.check(username, Factor.PASSWORD, source);
    if (!status.open()) {
      fail(SecurityEventType.LOGIN_FAIL, request, Map.of("reason", "locked", "factor", "password"));
      return LoginResult.locked(status.retryAfter());
    }

    Optional<Account> found = accounts.find(username);
    boolean passwordOk;
    if (found.isEmpty()) {
      passwordOk = hasher.verifyDummy(request.password());
    } else {
      passwordOk = verifyPassword(request, found.get());
    }
    if (!passwordOk) {
      lockout.recordFailure(username, Factor.PASSWORD, source);
      fail(SecurityEventType.LOGIN_FAIL, request, Map.of("reason", "bad_credentials", "factor", "password"));
      return LoginResult.failed();
    }
    Account account = found.get();
    rehashIfNeeded(request, account);

    Set<Factor> enrolled = enrolledSecondFactors(account.accountId());
    if (!mfaPolicy.requiresSecondFactor(account) && enrolled.isEmpty()) {
      return succeed(request, account, AssuranceLevel.AAL1, EnumSet.of(Factor.PASSWORD));
    }
    if (enrolled.isEmpty()) {
      fail(SecurityEventType.LOGIN_FAIL, request, Map.of("reason", "mfa_enrollment_required", "factor", "password"));
      return LoginResult.enrollmentRequired();
    }
    if (request.secondFactor().isEmpty()) {
      return LoginResult.secondFactorRequired(enrolled);
    }
    SecondFactorResponse response = request.secondFactor().get();
    Factor factor = response.factor();
    String factorName = factor.name().toLowerCase(Locale.ROOT);
    LockoutStatus factorStatus = lockout.check(username, factor, source);
    if (!factorStatus.open()) {
      fail(SecurityEventType.MFA_FAIL, request, Map.of("reason", "locked", "factor", factorName));
      return LoginResult.locked(factorStatus.retryAfter());
    }
    String outcome = enrolled.contains(factor) ? verifySecondFactor(account, response) : "not_enrolled";
    if (!outcome.equals("accepted")) {
      lockout.recordFailure(username, factor, source);
      fail(SecurityEventType.MFA_FAIL, request, Map.of("reason", outcome, "factor", factorName));
      return LoginResult.failed();
    }
    return succeed(request, account, AssuranceLevel.AAL2, EnumSet.of(Factor.PASSWORD, factor));
  }

  private boolean verifyPassword(LoginRequest request, Account account) {
    try {
      return hasher.verify(request.password(), account.passwordHash());
    } catch (InvalidPasswordHashException e) {
      // A corrupt or foreign stored hash never authenticates. Report it without the hash itself.
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

  private LoginResult succeed(LoginRequest request, Account account, AssuranceLevel level, Set<Factor> factors) {
    boolean hadFailures = lockout.accountAttempts(request.username()).failures() > 0;
    lockout.recordSuccess(request.username(), factors);
    Map<String, String> details = new TreeMap<>();
    details.put("account_id", account.accountId());
    details.put("aal", level.name());
    details.put("factors", factors.stream().map(f -> f.name().toLowerCase(Locale.ROOT)).sorted()
        .reduce((a, b) -> a + "," + b).orElse(""));
    emit(hadFailures ? SecurityEventType.LOGIN_SUCCESS_AFTER_FAIL : SecurityEventType.LOGIN_SUCCESS, request, details);
    return LoginResult.success(account.accountId(), level, factors);
  }

  private void fail(String type, LoginRequest request, Map<String, String> details) {
    emit(type, request, details);
  }

  private void emit(String type, LoginRequest request, Map<String, String> details) {
    EventDelivery.deliver(listener, new SecurityEvent(type, Optional.of(request.username()), clock.instant(), request.source(), details));
  }

  @Override
  public String toString() {
    return "LoginFlow[" + mfaPolicy + ", totp=" + totp.isPresent() + ", recoveryCodes=" + recoveryCodes.isPresent() + "]";
  }

  /** Configures a {@link LoginFlow}. */
  public static final class Builder {
    private final AccountDirectory accounts;
    private final PasswordHasher hasher;
    private final Lockout lockout;
    private TotpAuthenticator totp;
    private RecoveryCodes recoveryCodes;
    private MfaPolicy mfaPolicy = MfaPolicy.adminsOnly();
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
