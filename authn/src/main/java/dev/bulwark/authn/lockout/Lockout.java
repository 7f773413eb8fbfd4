package dev.bulwark.authn.lockout;

import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
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
 * Lockout lockout = Lockout.builder(AttemptStore.inMemory(clock)).clock(clock).listener(audit).build();
 * if (!lockout.check(username, Factor.PASSWORD, source).open()) { return tryLater(); }
 * if (!hasher.verify(password, hash)) { lockout.recordFailure(username, Factor.PASSWORD, source); ... }
 * else { lockout.recordSuccess(username, Set.of(Factor.PASSWORD)); }
 * }</pre>
 *
 * <p>Keys are built from the login identifier exactly as given, whether or not the account
 * exists, so an unknown account is throttled and locked exactly like a real one: the lockout state
 * never tells an attacker which accounts exist.
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
    Objects.requireNonNull(source, "source");
    Instant now = clock.instant();
    LockoutStatus status = status(store.get(accountKey(account), now), policy.accountRule(), now)
        .strictest(status(store.get(factorKey(factor, account), now), policy.factorRule(factor), now));
    Optional<LockoutRule> sourceRule = policy.sourceRule();
    if (sourceRule.isPresent() && source.isPresent()) {
      status = status.strictest(status(store.get(sourceKey(source.get()), now), sourceRule.get(), now));
    }
    return status;
  }

  /** Counts one failure of {@code factor} on the account, the factor and the source; returns the new status. */
  public LockoutStatus recordFailure(String account, Factor factor, Optional<String> source) {
    requireAccount(account);
    Objects.requireNonNull(factor, "factor");
    Objects.requireNonNull(source, "source");
    Instant now = clock.instant();
    LockoutStatus status = record(accountKey(account), policy.accountRule(), now, account, "account", null, source)
        .strictest(record(factorKey(factor, account), policy.factorRule(factor), now, account, "factor", factor, source));
    Optional<LockoutRule> sourceRule = policy.sourceRule();
    if (sourceRule.isPresent() && source.isPresent()) {
      status = status.strictest(record(sourceKey(source.get()), sourceRule.get(), now, account, "source", null, source));
    }
    return status;
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
    if (source == null || source.isEmpty()) {
      throw new IllegalArgumentException("source must not be null or empty");
    }
    store.reset(sourceKey(source));
  }

  private LockoutStatus record(String key, LockoutRule rule, Instant now, String account, String dimension,
      Factor factor, Optional<String> source) {
    Attempts after = store.recordFailure(key, now, now.plus(rule.forgetAfter()), rule.disableAt());
    boolean newlyDisabled = after.disabled() && after.failures() == rule.disableAt();
    boolean reachedMax = !after.disabled()
        && rule.delayAfter(after.failures()).equals(rule.maxDelay())
        && rule.delayAfter(after.failures() - 1).compareTo(rule.maxDelay()) < 0;
    if (newlyDisabled || reachedMax) {
      Map<String, String> details = new TreeMap<>();
      details.put("dimension", dimension);
      details.put("failures", Long.toString(after.failures()));
      details.put("permanent", Boolean.toString(newlyDisabled));
      if (factor != null) {
        details.put("factor", factor.name().toLowerCase(Locale.ROOT));
      }
      if (reachedMax) {
        details.put("lockedSeconds", Long.toString(rule.maxDelay().toSeconds()));
      }
      emit(SecurityEventType.LOGIN_LOCK, account, source, details);
    }
    return status(after, rule, now);
  }

  static LockoutStatus status(Attempts a, LockoutRule rule, Instant now) {
    if (a.disabled()) {
      return LockoutStatus.DISABLED;
    }
    Instant until = a.lastFailureAt().plus(rule.delayAfter(a.failures()));
    return until.isAfter(now) ? LockoutStatus.throttled(Duration.between(now, until)) : LockoutStatus.OPEN;
  }

  private void emit(String type, String account, Optional<String> source, Map<String, String> details) {
    try {
      listener.onEvent(new SecurityEvent(type, Optional.of(account), clock.instant(), source, details));
    } catch (RuntimeException e) {
      // A listener failure does not change the outcome (SecurityEventListener contract).
    }
  }

  private static void requireAccount(String account) {
    if (account == null || account.isEmpty()) {
      throw new IllegalArgumentException("account must not be null or empty");
    }
  }

  static String accountKey(String account) {
    return "a:" + account;
  }

  static String factorKey(Factor factor, String account) {
    return "f:" + factor.name().toLowerCase(Locale.ROOT) + ":" + account;
  }

  static String sourceKey(String source) {
    return "s:" + source;
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
