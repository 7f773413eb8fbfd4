package dev.bulwark.authn.lockout;

import dev.bulwark.authn.Factor;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link LockoutRule}s for the three dimensions Bulwark counts: the account (every failure of
 * any factor), each factor of the account (a wrong TOTP counts apart from a wrong password), and
 * the source address (failures from one client across all accounts).
 *
 * <p>{@link #defaults()}:
 * <table>
 *   <caption>default rules</caption>
 *   <tr><th>dimension</th><th>free</th><th>backoff</th><th>disabled after</th><th>forgotten after</th></tr>
 *   <tr><td>account</td><td>5</td><td>1 s doubling to 15 min</td><td>never</td><td>24 h</td></tr>
 *   <tr><td>password</td><td>5</td><td>1 s doubling to 15 min</td><td>100 (NIST)</td><td>365 d</td></tr>
 *   <tr><td>TOTP, recovery code</td><td>3</td><td>1 s doubling to 15 min</td><td>100 (NIST)</td><td>365 d</td></tr>
 *   <tr><td>source</td><td>20</td><td>1 s doubling to 15 min</td><td>never</td><td>1 h</td></tr>
 * </table>
 * Factor failures are remembered a year so that NIST's "100 consecutive failures" stays
 * consecutive; only a success or an admin unlock clears them. Immutable.
 */
public final class LockoutPolicy {

  private final LockoutRule account;
  private final Map<Factor, LockoutRule> factors;
  private final LockoutRule defaultFactor;
  private final Optional<LockoutRule> source;

  /** {@link #factorRule} by {@link Factor#ordinal()}: looked up on every check and failure. */
  private final LockoutRule[] byFactor;

  private LockoutPolicy(LockoutRule account, Map<Factor, LockoutRule> factors, LockoutRule defaultFactor,
      Optional<LockoutRule> source) {
    this.account = account;
    this.factors = factors;
    this.defaultFactor = defaultFactor;
    this.source = source;
    this.byFactor = new LockoutRule[Factor.values().length];
    for (Factor f : Factor.values()) {
      byFactor[f.ordinal()] = factors.getOrDefault(f, defaultFactor);
    }
  }

  public static LockoutPolicy defaults() {
    Duration second = Duration.ofSeconds(1);
    Duration max = Duration.ofMinutes(15);
    Duration year = Duration.ofDays(365);
    Map<Factor, LockoutRule> f = new EnumMap<>(Factor.class);
    f.put(Factor.PASSWORD, new LockoutRule(5, second, max, 100, year));
    f.put(Factor.TOTP, new LockoutRule(3, second, max, 100, year));
    f.put(Factor.RECOVERY_CODE, new LockoutRule(3, second, max, 100, year));
    return new LockoutPolicy(new LockoutRule(5, second, max, 0, Duration.ofHours(24)), Map.copyOf(f),
        new LockoutRule(3, second, max, 100, year), Optional.of(new LockoutRule(20, second, max, 0, Duration.ofHours(1))));
  }

  public LockoutPolicy withAccountRule(LockoutRule rule) {
    return new LockoutPolicy(Objects.requireNonNull(rule, "rule"), factors, defaultFactor, source);
  }

  public LockoutPolicy withFactorRule(Factor factor, LockoutRule rule) {
    Objects.requireNonNull(factor, "factor");
    Objects.requireNonNull(rule, "rule");
    Map<Factor, LockoutRule> f = new EnumMap<>(Factor.class);
    f.putAll(factors);
    f.put(factor, rule);
    return new LockoutPolicy(account, Map.copyOf(f), defaultFactor, source);
  }

  /** A rule for source addresses, or empty to not count per source. */
  public LockoutPolicy withSourceRule(Optional<LockoutRule> rule) {
    return new LockoutPolicy(account, factors, defaultFactor, Objects.requireNonNull(rule, "rule"));
  }

  public LockoutRule accountRule() {
    return account;
  }

  public LockoutRule factorRule(Factor factor) {
    return byFactor[factor.ordinal()];
  }

  public Optional<LockoutRule> sourceRule() {
    return source;
  }

  @Override
  public String toString() {
    return "LockoutPolicy[account=" + account + ", factors=" + factors + ", source=" + source + "]";
  }
}
