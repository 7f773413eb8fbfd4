package dev.bulwark.ratelimit;

import dev.bulwark.ratelimit.internal.Gcra;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.ratelimit.spi.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * A named rate limiter: one or more {@link Quota}s (per minute and per day, say) enforced together
 * on each {@link RateLimitKey} with GCRA, in a {@link RateLimitStore} that may be shared by a
 * fleet (PostgreSQL, Redis) or local (memory).
 *
 * <pre>{@code
 * import java.util.function.BiConsumer;
 *
 * // Given: RateLimitStore store, String clientIp, BiConsumer<String, String> setHeader (the HTTP response's)
 * RateLimiter signups = RateLimiter.builder("signup", store)
 *     .quota(Quota.perMinute(5).withBurst(3))
 *     .quota(Quota.perDay(50))
 *     .build();
 * RateLimitDecision d = signups.acquire(RateLimitKey.builder().source(clientIp).build());
 * if (d.denied()) {
 *   RateLimitHeaders.of(d).forEach(setHeader);   // and answer 429
 * }
 * }</pre>
 *
 * <p>One {@code acquire} is one atomic store step: a request is admitted only if every quota has
 * room, and then takes from all of them. It never throws because of the store: a store that
 * fails ({@link RateLimitStoreException} or any other exception), times out or answers nonsense gives a {@link RateLimitDecision.Reason#STORE_UNAVAILABLE} decision
 * under the limiter's {@link FailurePolicy} (deny by default), never a silent admission.
 *
 * <p>Security considerations: the limiter's name is part of every stored key, so limiters sharing
 * a store never share counts; give each limiter its own name. Misuse (a cost of zero or above
 * the smallest burst, a null key) throws {@link InvalidLimitException} before the store is asked.
 *
 * <p>Thread-safe.
 */
public final class RateLimiter {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  /** Retry-after given while the store is unavailable and no local budget applies. */
  static final Duration UNAVAILABLE_RETRY = Duration.ofSeconds(1);

  private final String name;
  private final String prefix;
  private final RateLimitStore store;
  private final List<Quota> quotas;
  private final long maxCost;
  private final FailurePolicy failurePolicy;
  private final RateLimitListener listener;
  private final InstantSource clock;
  private final List<Quota> localQuotas;
  private final long[] intervals;
  private final long[] tolerances;
  private final long localMaxCost;
  private final long[] localIntervals;
  private final long[] localTolerances;
  private final AtomicReference<Outage> outage = new AtomicReference<>();

  private RateLimiter(Builder b) {
    this.name = b.name;
    this.prefix = b.name + "|";
    this.store = b.store;
    this.quotas = List.copyOf(b.quotas);
    this.failurePolicy = b.failurePolicy;
    this.listener = b.listener;
    this.clock = b.clock;
    long min = Long.MAX_VALUE;
    for (Quota q : quotas) {
      min = Math.min(min, q.burst());
    }
    this.maxCost = min;
    // The local budget: each quota divided by the expected nodes; none if any rounds to zero.
    List<Quota> local = null;
    if (!failurePolicy.isDeny()) {
      int n = failurePolicy.expectedNodes();
      local = new ArrayList<>();
      for (Quota q : quotas) {
        long limit = q.limit() / n;
        long burst = q.burst() / n;
        if (limit < 1 || burst < 1) {
          local = null;
          break;
        }
        local.add(new Quota(q.name(), limit, q.period(), burst));
      }
    }
    this.localQuotas = local == null ? null : List.copyOf(local);
    long localMin = 0;
    if (localQuotas != null) {
      localMin = Long.MAX_VALUE;
      for (Quota q : localQuotas) {
        localMin = Math.min(localMin, q.burst());
      }
    }
    this.localMaxCost = localMin;
    this.localIntervals = localQuotas == null ? null : Gcra.intervals(localQuotas);
    this.localTolerances = localQuotas == null ? null : Gcra.tolerances(localQuotas);
    this.intervals = Gcra.intervals(quotas);
    this.tolerances = Gcra.tolerances(quotas);
  }

  /**
   * A builder for a limiter named {@code name} (1–64 characters of {@code [A-Za-z0-9._-]}) over
   * {@code store}.
   */
  public static Builder builder(String name, RateLimitStore store) {
    return new Builder(name, store);
  }

  /** Takes one unit for {@code key}. Same as {@code acquire(key, 1)}. */
  public RateLimitDecision acquire(RateLimitKey key) {
    return acquire(key, 1);
  }

  /**
   * Takes {@code cost} units for {@code key} from every quota, or none if any quota lacks room.
   *
   * @throws InvalidLimitException if {@code cost} is below 1 or above the smallest burst (such a
   *     request could never be admitted)
   */
  public RateLimitDecision acquire(RateLimitKey key, long cost) {
    Objects.requireNonNull(key, "key");
    if (cost < 1 || cost > maxCost) {
      throw new InvalidLimitException("cost must be between 1 and the smallest burst (" + maxCost + "), was " + cost);
    }
    String storeKey = key.qualifiedBy(prefix);
    Step step;
    try {
      step = store.acquire(storeKey, quotas, cost);
      if (step == null || step.quotas() != quotas.size()) {
        throw new RateLimitStoreException("store answered " + step + " for " + quotas.size() + " quotas");
      }
    } catch (Exception | LinkageError e) {
      return unavailable(storeKey, cost, e);
    }
    Outage o = outage.get();
    if (o != null && outage.compareAndSet(o, null)) {
      emit(RateLimitEvent.Type.STORE_RECOVERED, "");
    }
    return decide(step, quotas, intervals, tolerances, cost, RateLimitDecision.Reason.WITHIN_LIMIT);
  }

  private RateLimitDecision unavailable(String storeKey, long cost, Throwable cause) {
    Instant now = clock.instant();
    Outage o = outage.get();
    if (o == null) {
      Outage fresh = new Outage(now, failurePolicy.isDeny() ? null : InMemoryRateLimitStore.builder().clock(clock).maxKeys(100_000).build());
      if (outage.compareAndSet(null, fresh)) {
        emit(RateLimitEvent.Type.STORE_UNAVAILABLE, cause.getClass().getName()
            + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
      }
      o = outage.get();
      if (o == null) {
        o = fresh;
      }
    }
    if (o.local == null) {
      return deniedUnavailable();
    }
    if (now.isAfter(o.since.plus(failurePolicy.maxDuration()))) {
      if (!o.expiredReported.getAndSet(true)) {
        emit(RateLimitEvent.Type.LOCAL_BUDGET_EXPIRED, "");
      }
      return deniedUnavailable();
    }
    if (localQuotas == null || cost > localMaxCost) {
      return deniedUnavailable();
    }
    Step step = o.local.acquire(storeKey, localQuotas, cost);
    return decide(step, localQuotas, localIntervals, localTolerances, cost, RateLimitDecision.Reason.STORE_UNAVAILABLE);
  }

  private static RateLimitDecision deniedUnavailable() {
    return new RateLimitDecision(false, RateLimitDecision.Reason.STORE_UNAVAILABLE, 0, UNAVAILABLE_RETRY, List.of());
  }

  private static RateLimitDecision decide(Step step, List<Quota> qs, long[] intervals, long[] tolerances, long cost,
      RateLimitDecision.Reason allowedReason) {
    long now = step.nowMicros();
    boolean admitted = step.admitted();
    long remaining = Long.MAX_VALUE;
    long retryMicros = 0;
    int n = qs.size();
    for (int i = 0; i < n; i++) {
      long t = intervals[i];
      long tol = tolerances[i];
      long tat = Math.max(step.tatMicros(i), now);
      remaining = Math.min(remaining, QuotaStates.remaining(qs.get(i).burst(), now, tat, t, tol));
      if (!admitted) {
        retryMicros = Math.max(retryMicros, tat + cost * t - tol - now);
      }
    }
    List<QuotaState> states = new QuotaStates(step, qs, intervals, tolerances);
    if (admitted) {
      return new RateLimitDecision(true, allowedReason, remaining, Duration.ZERO, states);
    }
    RateLimitDecision.Reason reason = allowedReason == RateLimitDecision.Reason.WITHIN_LIMIT ? RateLimitDecision.Reason.LIMIT_EXCEEDED : allowedReason;
    return new RateLimitDecision(false, reason, 0, Duration.ofNanos(Math.max(1, retryMicros) * 1000), states);
  }


  private void emit(RateLimitEvent.Type type, String detail) {
    try {
      listener.onEvent(new RateLimitEvent(type, name, clock.instant(), detail));
    } catch (RuntimeException ignored) {
      // A listener never changes a decision.
    }
  }

  /** The limiter's name. */
  public String name() {
    return name;
  }

  /** The quotas, in order. */
  public List<Quota> quotas() {
    return quotas;
  }

  /** The failure policy. */
  public FailurePolicy failurePolicy() {
    return failurePolicy;
  }

  @Override
  public String toString() {
    return "RateLimiter[" + name + ", " + quotas + ", " + (failurePolicy.isDeny() ? "DENY" : failurePolicy) + "]";
  }

  private static final class Outage {
    final Instant since;
    final InMemoryRateLimitStore local;
    final java.util.concurrent.atomic.AtomicBoolean expiredReported = new java.util.concurrent.atomic.AtomicBoolean();

    Outage(Instant since, InMemoryRateLimitStore local) {
      this.since = since;
      this.local = local;
    }
  }

  /** Collects a limiter's settings; {@link #build()} checks them. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final RateLimitStore store;
    private final List<Quota> quotas = new ArrayList<>();
    private FailurePolicy failurePolicy = FailurePolicy.deny();
    private RateLimitListener listener = RateLimitListener.NONE;
    private InstantSource clock = Clock.systemUTC();

    private Builder(String name, RateLimitStore store) {
      this.name = Objects.requireNonNull(name, "name");
      this.store = Objects.requireNonNull(store, "store");
    }

    /** Adds a quota; a limiter needs at least one, at most 8, with distinct names. */
    public Builder quota(Quota quota) {
      quotas.add(Objects.requireNonNull(quota, "quota"));
      return this;
    }

    /** What to do when the store cannot decide; {@link FailurePolicy#deny()} unless set. */
    public Builder failurePolicy(FailurePolicy policy) {
      this.failurePolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Receives outage and recovery events; none unless set. */
    public Builder listener(RateLimitListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * The clock of outage bookkeeping and of the local budget; the system clock unless set. The
     * shared stores decide on their own clock.
     */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The limiter.
     *
     * @throws InvalidLimitException if the name is malformed, there is no quota, more than 8, or
     *     two with the same name
     */
    public RateLimiter build() {
      if (!NAME.matcher(name).matches()) {
        throw new InvalidLimitException("limiter name must be 1-64 characters of [A-Za-z0-9._-]");
      }
      if (quotas.isEmpty() || quotas.size() > 8) {
        throw new InvalidLimitException("a limiter needs 1 to 8 quotas, has " + quotas.size());
      }
      Set<String> names = new HashSet<>();
      for (Quota q : quotas) {
        if (!names.add(q.name())) {
          throw new InvalidLimitException("two quotas named " + q.name());
        }
      }
      return new RateLimiter(this);
    }
  }
}
