package dev.bulwark.authn.lockout;

import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.internal.EventDelivery;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Account lockout: counts failures per account, per account-and-factor and per source address in
 * an {@link AttemptStore}, and turns them into exponential backoff, temporary lockout and, at
 * NIST's ceiling, a disabled factor that only an admin can re-enable.
 *
 * <pre>{@code
 * import dev.bulwark.authn.Factor;
 * import dev.bulwark.authn.password.PasswordHasher;
 * import java.nio.CharBuffer;
 * import java.time.Duration;
 *
 * // Given: InstantSource clock, SecurityEventListener audit, PasswordHasher hasher
 * // Given: String username, char[] password, String hash, Optional<String> source
 * Lockout lockout = Lockout.builder(AttemptStore.inMemory(clock)).clock(clock).listener(audit).build();
 * Lockout.Attempt attempt = lockout.reserve(username, Factor.PASSWORD, source);   // counted first
 * if (!attempt.admitted()) {
 *   Duration retryAfter = attempt.status().retryAfter();                          // answer: try later
 * } else if (!hasher.verify(CharBuffer.wrap(password), hash)) {
 *   lockout.failed(attempt);                                                       // the count stands
 * } else {
 *   lockout.refund(attempt);
 *   lockout.recordSuccess(username, Set.of(Factor.PASSWORD));
 * }
 * }</pre>
 *
 * <p>Keys are built from the login identifier exactly as given (pass the canonical form, as
 * {@link dev.bulwark.authn.flow.LoginFlow} does, so that one account has one counter), whether or
 * not the account exists, so an unknown account is throttled and locked exactly like a real one:
 * the lockout state never tells an attacker which accounts exist.
 *
 * <p>{@link #reserve} counts an attempt before it is verified, so that parallel guesses cannot
 * outrun the count; {@link #check} with {@link #recordFailure} afterwards is the older pair, kept
 * for callers that only read or only count, and is not a limit under concurrency.
 *
 * <p>Events: {@code authn_login_lock} when a key reaches the maximum wait (temporary lock) or is
 * disabled ({@code permanent=true}); {@code authn_login_unlock} on {@link #unlock}.
 *
 * <p>Thread-safe. The store's exceptions propagate: a lockout that cannot be read fails the login.
 */
public final class Lockout {

  private final AttemptStore store;
  private final LockoutPolicy policy;
  private final InstantSource clock;
  private final SecurityEventListener listener;

  private Lockout(Builder b) {
    this.store = b.store;
    this.policy = b.policy;
    this.clock = b.clock;
    this.listener = b.listener;
  }

  public static Builder builder(AttemptStore store) {
    return new Builder(store);
  }

  public LockoutPolicy policy() {
    return policy;
  }

  /**
   * Whether an attempt with {@code factor} for {@code account} from {@code source} may proceed:
   * the strictest of the account, factor and source states.
   */
  public LockoutStatus check(String account, Factor factor, Optional<String> source) {
    requireAccount(account);
    Objects.requireNonNull(factor, "factor");
    requireSource(source);
    Instant now = clock.instant();
    String accountKey = accountKey(account);
    String factorKey = factorKey(factor, account);
    Optional<LockoutRule> sourceRule = policy.sourceRule();
    String sourceKey = sourceRule.isPresent() && source.isPresent() ? sourceKey(source.get()) : null;
    Map<String, Attempts> records = store.getAll(
        sourceKey == null ? List.of(accountKey, factorKey) : List.of(accountKey, factorKey, sourceKey), now);
    Strictest strictest = new Strictest();
    strictest.add(records.getOrDefault(accountKey, Attempts.NONE), policy.accountRule());
    strictest.add(records.getOrDefault(factorKey, Attempts.NONE), policy.factorRule(factor));
    if (sourceKey != null) {
      strictest.add(records.getOrDefault(sourceKey, Attempts.NONE), sourceRule.get());
    }
    return strictest.status(now);
  }

  /** Counts one failure of {@code factor} on the account, the factor and the source; returns the new status. */
  public LockoutStatus recordFailure(String account, Factor factor, Optional<String> source) {
    requireAccount(account);
    Objects.requireNonNull(factor, "factor");
    requireSource(source);
    Instant now = clock.instant();
    LockoutRule factorRule = policy.factorRule(factor);
    List<AttemptStore.Failure> failures = new ArrayList<>(3);
    failures.add(new AttemptStore.Failure(accountKey(account), now, now.plus(policy.accountRule().forgetAfter()),
        policy.accountRule().disableAt()));
    failures.add(new AttemptStore.Failure(factorKey(factor, account), now, now.plus(factorRule.forgetAfter()),
        factorRule.disableAt()));
    Optional<LockoutRule> sourceRule = policy.sourceRule();
    boolean countSource = sourceRule.isPresent() && source.isPresent();
    if (countSource) {
      failures.add(new AttemptStore.Failure(sourceKey(source.get()), now, now.plus(sourceRule.get().forgetAfter()),
          sourceRule.get().disableAt()));
    }
    List<Attempts> after = store.recordFailures(failures);
    Strictest strictest = new Strictest();
    afterFailure(after.get(0), policy.accountRule(), account, "account", null, source, strictest);
    afterFailure(after.get(1), factorRule, account, "factor", factor, source, strictest);
    if (countSource) {
      afterFailure(after.get(2), sourceRule.get(), account, "source", null, source, strictest);
    }
    return strictest.status(now);
  }

  /**
   * Counts an attempt with {@code factor} for {@code account} from {@code source} <em>before</em>
   * it is verified, if the account, factor and source states all allow one now (one atomic
   * {@link AttemptStore#reserve}); a refused attempt counts nothing. Then verify, and report the
   * outcome: {@link #failed} when it was wrong (the count stands), {@link #refund} when it was
   * right. Because the count is taken before the slow verification, N parallel guesses get at
   * most as many verifications as the policy allows one after another; checking first and
   * counting afterwards ({@link #check}, {@link #recordFailure}) lets every guess that arrives
   * during the verification of the others through.
   *
   * <pre>{@code
   * import dev.bulwark.authn.Factor;
   * import dev.bulwark.authn.password.PasswordHasher;
   * import java.time.Duration;
   *
   * // Given: Lockout lockout, PasswordHasher hasher, String username, String password, String hash, Optional<String> source
   * Lockout.Attempt attempt = lockout.reserve(username, Factor.PASSWORD, source);
   * if (!attempt.admitted()) {
   *   Duration retryAfter = attempt.status().retryAfter();   // answer: try later
   * } else if (hasher.verify(password, hash)) {
   *   lockout.refund(attempt);
   * } else {
   *   lockout.failed(attempt);
   * }
   * }</pre>
   */
  public Attempt reserve(String account, Factor factor, Optional<String> source) {
    Objects.requireNonNull(factor, "factor");
    return reserve(account, EnumSet.of(factor), source);
  }

  /**
   * As {@link #reserve(String, Factor, Optional)} for an attempt that presents several factors at
   * once (a password and a code in one request): the account and source count it once, each
   * factor once, and it is admitted only if every one of them allows it.
   *
   * @throws IllegalArgumentException if {@code factors} is empty
   */
  public Attempt reserve(String account, Set<Factor> factors, Optional<String> source) {
    requireAccount(account);
    Objects.requireNonNull(factors, "factors");
    if (factors.isEmpty()) {
      throw new IllegalArgumentException("factors must not be empty");
    }
    requireSource(source);
    List<Factor> ordered = List.copyOf(EnumSet.copyOf(factors));
    Instant now = clock.instant();
    List<AttemptStore.Reservation> keys = new ArrayList<>(ordered.size() + 2);
    List<LockoutRule> rules = new ArrayList<>(ordered.size() + 2);
    keys.add(new AttemptStore.Reservation(accountKey(account), now, now.plus(policy.accountRule().forgetAfter()),
        policy.accountRule()));
    rules.add(policy.accountRule());
    for (Factor f : ordered) {
      LockoutRule factorRule = policy.factorRule(f);
      keys.add(new AttemptStore.Reservation(factorKey(f, account), now, now.plus(factorRule.forgetAfter()), factorRule));
      rules.add(factorRule);
    }
    Optional<LockoutRule> sourceRule = policy.sourceRule();
    if (sourceRule.isPresent() && source.isPresent()) {
      keys.add(new AttemptStore.Reservation(sourceKey(source.get()), now, now.plus(sourceRule.get().forgetAfter()),
          sourceRule.get()));
      rules.add(sourceRule.get());
    }
    AttemptStore.Admission admission = store.reserve(keys);
    if (admission.records().size() != keys.size()) {
      throw new dev.bulwark.authn.AuthnStoreException("attempt store answered " + admission.records().size() + " records for "
          + keys.size() + " keys");
    }
    LockoutStatus status;
    if (admission.admitted()) {
      status = LockoutStatus.OPEN;
    } else {
      Strictest strictest = new Strictest();
      for (int i = 0; i < keys.size(); i++) {
        strictest.add(admission.records().get(i), rules.get(i));
      }
      status = strictest.status(now);
      if (status.open()) {
        // Refused for a race the store lost (see AttemptStore#reserve): ask for the shortest wait.
        status = LockoutStatus.throttled(rules.stream().map(LockoutRule::initialDelay).min(Duration::compareTo)
            .orElse(Duration.ofSeconds(1)));
      }
    }
    return new Attempt(account, ordered, source, keys, rules, admission, status);
  }

  /**
   * The reserved attempt was wrong: its count stands. Emits {@code authn_login_lock} when it
   * brought a key to the maximum wait or disabled it, and returns the status after it.
   *
   * @throws IllegalArgumentException if the attempt was not admitted or not made by this lockout
   */
  public LockoutStatus failed(Attempt attempt) {
    requireAdmitted(attempt);
    Strictest strictest = new Strictest();
    List<Attempts> after = attempt.admission.records();
    int factors = attempt.factors.size();
    afterFailure(after.get(0), attempt.rules.get(0), attempt.account, "account", null, attempt.source, strictest);
    for (int i = 0; i < factors; i++) {
      afterFailure(after.get(1 + i), attempt.rules.get(1 + i), attempt.account, "factor", attempt.factors.get(i),
          attempt.source, strictest);
    }
    if (after.size() > 1 + factors) {
      afterFailure(after.get(1 + factors), attempt.rules.get(1 + factors), attempt.account, "source", null,
          attempt.source, strictest);
    }
    return strictest.status(attempt.keys.get(0).at());
  }

  /**
   * The reserved attempt was right: gives its count back on the account, factor and source keys
   * ({@link AttemptStore#refund}). A full login then calls {@link #recordSuccess} as before.
   *
   * @throws IllegalArgumentException if the attempt was not admitted or not made by this lockout
   */
  public void refund(Attempt attempt) {
    requireAdmitted(attempt);
    store.refund(attempt.keys);
  }

  private void requireAdmitted(Attempt attempt) {
    Objects.requireNonNull(attempt, "attempt");
    if (attempt.lockout != this || !attempt.admitted()) {
      throw new IllegalArgumentException("not an admitted attempt of this lockout");
    }
  }

  /**
   * An attempt counted by {@link #reserve}, or refused by it. Hand it back to {@link #failed} or
   * {@link #refund} once verified. Immutable; holds no secret.
   */
  public final class Attempt {
    private final Lockout lockout = Lockout.this;
    private final String account;
    private final List<Factor> factors;
    private final Optional<String> source;
    private final List<AttemptStore.Reservation> keys;
    private final List<LockoutRule> rules;
    private final AttemptStore.Admission admission;
    private final LockoutStatus status;

    private Attempt(String account, List<Factor> factors, Optional<String> source, List<AttemptStore.Reservation> keys,
        List<LockoutRule> rules, AttemptStore.Admission admission, LockoutStatus status) {
      this.account = account;
      this.factors = factors;
      this.source = source;
      this.keys = List.copyOf(keys);
      this.rules = List.copyOf(rules);
      this.admission = admission;
      this.status = status;
    }

    /** True when the attempt was counted and may be verified. */
    public boolean admitted() {
      return admission.admitted();
    }

    /** {@link LockoutStatus#OPEN} when admitted; otherwise why not and how long to wait. */
    public LockoutStatus status() {
      return status;
    }

    /** The factors the attempt presents. */
    public Set<Factor> factors() {
      return EnumSet.copyOf(factors);
    }

    @Override
    public String toString() {
      return "Lockout.Attempt[" + factors + ", " + status.state() + "]";
    }
  }

  /**
   * A successful login: clears the account's counter and those of the factors used. Disabled
   * factors not used are left disabled; the source counter is left alone (one valid account must
   * not reset an attacker's address).
   */
  public void recordSuccess(String account, Set<Factor> factorsUsed) {
    requireAccount(account);
    store.reset(accountKey(account));
    for (Factor f : factorsUsed) {
      store.reset(factorKey(f, account));
    }
  }

  /** The account's consecutive failures on record (for an admin view or a "failures since last login" notice). */
  public Attempts accountAttempts(String account) {
    requireAccount(account);
    return store.get(accountKey(account), clock.instant());
  }

  /** Whether {@code factor} of {@code account} is disabled (NIST's limit reached). */
  public boolean isDisabled(String account, Factor factor) {
    requireAccount(account);
    return store.get(factorKey(factor, account), clock.instant()).disabled();
  }

  /**
   * Admin action: clears the account's counter and every factor's, disabled or not, and emits
   * {@code authn_login_unlock}.
   *
   * @param actor who unlocked, for the event
   */
  public void unlock(String account, String actor) {
    requireAccount(account);
    store.reset(accountKey(account));
    for (Factor f : Factor.values()) {
      store.reset(factorKey(f, account));
    }
    emit(SecurityEventType.LOGIN_UNLOCK, account, Optional.empty(), Map.of("actor", String.valueOf(actor)));
  }

  /** Admin action: clears a source address's counter. */
  public void unlockSource(String source) {
    if (source == null) {
      throw new IllegalArgumentException("source must not be null or empty");
    }
    requireSource(Optional.of(source));
    store.reset(sourceKey(source));
  }

  private void afterFailure(Attempts after, LockoutRule rule, String account, String dimension, Factor factor,
      Optional<String> source, Strictest strictest) {
    boolean newlyDisabled = after.disabled() && after.failures() == rule.disableAt();
    boolean reachedMax = !after.disabled() && rule.firstAtMaxDelay(after.failures());
    if (newlyDisabled || reachedMax) {
      Map<String, String> details = new TreeMap<>();
      details.put("dimension", dimension);
      details.put("failures", Long.toString(after.failures()));
      details.put("permanent", Boolean.toString(newlyDisabled));
      if (factor != null) {
        details.put("factor", factor.name().toLowerCase(Locale.ROOT));
      }
      if (reachedMax) {
        details.put("locked_seconds", Long.toString(rule.maxDelay().toSeconds()));
      }
      emit(SecurityEventType.LOGIN_LOCK, account, source, details);
    }
    strictest.add(after, rule);
  }

  /**
   * The strictest of several keys' states, folded as they come: disabled wins, otherwise the
   * latest end of a wait; one {@link LockoutStatus} is built at the end instead of one per key.
   */
  private static final class Strictest {
    private boolean disabled;
    private Instant until;

    void add(Attempts a, LockoutRule rule) {
      if (disabled) {
        return;
      }
      if (a.disabled()) {
        disabled = true;
        return;
      }
      if (a.failures() <= rule.freeFailures()) {
        return;
      }
      Instant end = a.lastFailureAt().plus(rule.delayAfter(a.failures()));
      if (until == null || end.isAfter(until)) {
        until = end;
      }
    }

    LockoutStatus status(Instant now) {
      if (disabled) {
        return LockoutStatus.DISABLED;
      }
      return until != null && until.isAfter(now) ? LockoutStatus.throttled(Duration.between(now, until)) : LockoutStatus.OPEN;
    }
  }

  private void emit(String type, String account, Optional<String> source, Map<String, String> details) {
    EventDelivery.deliver(listener, new SecurityEvent(type, Optional.of(account), clock.instant(), source, details));
  }

  /** Longest account identifier or source address accepted (keeps keys within the JDBC column). */
  public static final int MAX_IDENTIFIER_CHARS = 512;

  private static void requireAccount(String account) {
    if (account == null || account.isEmpty()) {
      throw new IllegalArgumentException("account must not be null or empty");
    }
    if (account.length() > MAX_IDENTIFIER_CHARS) {
      throw new IllegalArgumentException("account must be at most " + MAX_IDENTIFIER_CHARS + " characters");
    }
  }

  private static void requireSource(Optional<String> source) {
    Objects.requireNonNull(source, "source");
    if (source.isPresent() && (source.get().isEmpty() || source.get().length() > MAX_IDENTIFIER_CHARS)) {
      throw new IllegalArgumentException("source must be 1.." + MAX_IDENTIFIER_CHARS + " characters when present");
    }
  }

  static String accountKey(String account) {
    return "a:".concat(account);
  }

  static String factorKey(Factor factor, String account) {
    return FACTOR_KEY_PREFIX[factor.ordinal()].concat(account);
  }

  /** {@code "f:<factor in lower case>:"} per factor, built once instead of on every call. */
  private static final String[] FACTOR_KEY_PREFIX = factorKeyPrefixes();

  private static String[] factorKeyPrefixes() {
    Factor[] factors = Factor.values();
    String[] prefixes = new String[factors.length];
    for (Factor f : factors) {
      prefixes[f.ordinal()] = "f:" + f.name().toLowerCase(Locale.ROOT) + ":";
    }
    return prefixes;
  }

  static String sourceKey(String source) {
    return "s:".concat(source);
  }

  @Override
  public String toString() {
    return "Lockout[" + store + ", " + policy + "]";
  }

  /** Configures a {@link Lockout}. */
  public static final class Builder {
    private final AttemptStore store;
    private LockoutPolicy policy = LockoutPolicy.defaults();
    private InstantSource clock = Clock.systemUTC();
    private SecurityEventListener listener = SecurityEventListener.NONE;

    private Builder(AttemptStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    public Builder policy(LockoutPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
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

    public Lockout build() {
      return new Lockout(this);
    }
  }
}
