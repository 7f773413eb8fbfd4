package dev.bulwark.benchmarks.authn.core;

import dev.bulwark.authn.Factor;
import dev.bulwark.authn.lockout.Attempts;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.LockoutStatus;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.benchmarks.ComparedWith;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-memory lockout, two threads over 10,000 accounts:
 * {@code storeCheckAndRecord} is one key's check ({@code get}) plus one atomic failure
 * ({@code recordFailure}) on the Caffeine store; {@code lockoutCheckAndRecord} is the full
 * {@link Lockout} step of a failed password login, {@code check} then {@code recordFailure}
 * (account + factor + source: three reads, then three atomic increments), with every failure from
 * the same source address, so both threads increment one shared counter on every step (credential
 * stuffing from one address); {@code lockoutCheckAndRecordManySources} is the same step with the
 * source drawn from 1,000 addresses, as in {@code JdbcLockoutBenchmark}. Baseline: a bare
 * {@code ConcurrentHashMap.merge} counter increment over the 10,000 keys.
 *
 * <p>The two {@code Lockout} states start as an attack in progress: setup fails every account
 * {@value #PRIOR_FAILURES} times (password factor disabled at 100, account at the maximum delay),
 * so the measurement is the step's steady state from the first iteration. Without it the first
 * seconds also create 20,000 keys and disable 10,000 factors, which take the store's atomic
 * {@code compute} path, and a 3 x 1 s warmup ends in the middle of that.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@Threads(2)
public class LockoutBenchmark {

  private static final int KEYS = 10_000;
  private static final int PRIOR_FAILURES = 120;

  private final String[] keys = new String[KEYS];
  private final ConcurrentHashMap<String, Long> map = new ConcurrentHashMap<>();
  private AttemptStore store;
  private Lockout lockout;
  private final Optional<String> source = Optional.of("198.51.100.7");
  private final List<Optional<String>> sources = new ArrayList<>();
  private Lockout lockoutManySources;

  @Setup
  public void setUp() {
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "user-" + i;
    }
    Clock clock = Clock.systemUTC();
    store = AttemptStore.inMemory(clock);
    lockout = Lockout.builder(AttemptStore.inMemory(clock)).clock(clock).build();
    lockoutManySources = Lockout.builder(AttemptStore.inMemory(clock)).clock(clock).build();
    for (int i = 0; i < 1000; i++) {
      sources.add(Optional.of("198.51." + (100 + i / 256) + "." + (i % 256)));
    }
    for (int round = 0; round < PRIOR_FAILURES; round++) {
      for (int i = 0; i < KEYS; i++) {
        lockout.recordFailure(keys[i], Factor.PASSWORD, source);
        lockoutManySources.recordFailure(keys[i], Factor.PASSWORD, sources.get((i + round) % sources.size()));
      }
    }
  }

  private String key() {
    return keys[ThreadLocalRandom.current().nextInt(KEYS)];
  }

  @Benchmark
  public Long concurrentHashMapIncrement() {
    return map.merge(key(), 1L, Long::sum);
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authn.core.LockoutBenchmark.concurrentHashMapIncrement")
  public Attempts storeCheckAndRecord() {
    String k = key();
    Instant now = Instant.now();
    Attempts a = store.get(k, now);
    if (a.disabled()) {
      return a;
    }
    return store.recordFailure(k, now, now.plus(Duration.ofHours(1)), Long.MAX_VALUE);
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authn.core.LockoutBenchmark.concurrentHashMapIncrement")
  public LockoutStatus lockoutCheckAndRecord() {
    String k = key();
    LockoutStatus s = lockout.check(k, Factor.PASSWORD, source);
    return s.strictest(lockout.recordFailure(k, Factor.PASSWORD, source));
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authn.core.LockoutBenchmark.concurrentHashMapIncrement")
  public LockoutStatus lockoutCheckAndRecordManySources() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String k = keys[r.nextInt(KEYS)];
    Optional<String> from = sources.get(r.nextInt(sources.size()));
    LockoutStatus s = lockoutManySources.check(k, Factor.PASSWORD, from);
    return s.strictest(lockoutManySources.recordFailure(k, Factor.PASSWORD, from));
  }
}
