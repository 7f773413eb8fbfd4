package dev.bulwark.benchmarks.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.ratelimit.RateLimitDecision;
import dev.bulwark.ratelimit.InMemoryRateLimitStore;
import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.RateLimitKey;
import dev.bulwark.ratelimit.RateLimiter;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One thread, 10,000 keys, a key lookup plus one limit step per operation: {@link RateLimiter}
 * over {@link InMemoryRateLimitStore} (GCRA, Caffeine map, per-key lock) against Bucket4j's local
 * bucket behind the same kind of key map (a bounded Caffeine cache, expiring idle keys). Both
 * enforce 1,000 per minute with a burst of 1,000 per key, and return remaining capacity.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class RateLimitMemoryBenchmark {

  private static final int KEYS = 10_000;
  private static final int MASK = 16_383;

  private final RateLimitKey[] keys = new RateLimitKey[MASK + 1];
  private final String[] names = new String[MASK + 1];
  private RateLimiter limiter;
  private Cache<String, Bucket> buckets;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    for (int i = 0; i <= MASK; i++) {
      int k = (int) ((i * 2_654_435_761L) % KEYS);
      keys[i] = RateLimitKey.builder().principal("user-" + k).build();
      names[i] = keys[i].value();
    }
    limiter = RateLimiter.builder("bench", InMemoryRateLimitStore.builder().build()).quota(Quota.perMinute(1000)).build();
    buckets = Caffeine.newBuilder().maximumSize(InMemoryRateLimitStore.DEFAULT_MAX_KEYS)
        .expireAfterAccess(Duration.ofMinutes(1).plusSeconds(1)).build();
  }

  @Benchmark
  public long bucket4jLocal() {
    int i = next++ & MASK;
    Bucket b = buckets.get(names[i], k -> Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(1000).refillGreedy(1000, Duration.ofMinutes(1)).build()).build());
    ConsumptionProbe p = b.tryConsumeAndReturnRemaining(1);
    return p.isConsumed() ? p.getRemainingTokens() : -p.getNanosToWaitForRefill();
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.ratelimit.RateLimitMemoryBenchmark.bucket4jLocal")
  public long bulwarkAcquire() {
    RateLimitDecision d = limiter.acquire(keys[next++ & MASK]);
    return d.allowed() ? d.remaining() : -d.retryAfter().toNanos();
  }
}
