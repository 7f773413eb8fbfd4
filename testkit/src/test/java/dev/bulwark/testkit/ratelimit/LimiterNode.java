package dev.bulwark.testkit.ratelimit;

import dev.bulwark.ratelimit.RateLimitDecision;
import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.RateLimitKey;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.jdbc.JdbcRateLimitStore;
import dev.bulwark.ratelimit.redis.RedisRateLimitStore;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.testing.pg.TestPool;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One application node, run in a JVM of its own by the two-node tests: {@code threads} threads
 * hammer one key through a shared store, first until a per-day burst is spent ("exact" phase), then
 * for {@code windowMillis} on a fast quota ("window" phase), and it prints what it was admitted.
 *
 * <p>Arguments: {@code pg <url> <user> <schema> <threads> <startAtEpochMs> <windowMillis>} or
 * {@code redis <uri> <threads> <startAtEpochMs> <windowMillis>}.
 */
public final class LimiterNode {

  /** The exact phase: a per-day quota whose refill is negligible during the run. */
  static final Quota EXACT = Quota.perDay(1000).withBurst(300);
  /** The window phase: 50 per second (one every 20 ms), burst 25. */
  static final Quota WINDOW = Quota.of("second", 50, Duration.ofSeconds(1)).withBurst(25);
  static final int EXACT_ATTEMPTS_PER_THREAD = 40;

  private LimiterNode() {}

  public static void main(String[] args) throws Exception {
    RateLimitStore store;
    AutoCloseable resource;
    int i;
    if (args[0].equals("pg")) {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setUrl(args[1]);
      ds.setUser(args[2]);
      ds.setCurrentSchema(args[3]);
      TestPool pool = TestPool.of(ds, Integer.parseInt(args[4]));
      store = JdbcRateLimitStore.create(pool);
      resource = pool;
      i = 4;
    } else {
      RedisRateLimitStore redis = RedisRateLimitStore.builder(URI.create(args[1])).timeout(Duration.ofSeconds(10)).build();
      store = redis;
      resource = redis;
      i = 2;
    }
    int threads = Integer.parseInt(args[i]);
    long startAt = Long.parseLong(args[i + 1]);
    long windowMillis = Long.parseLong(args[i + 2]);
    RateLimiter exact = RateLimiter.builder("two-node-exact", store).quota(EXACT).build();
    RateLimiter window = RateLimiter.builder("two-node-window", store).quota(WINDOW).build();
    RateLimitKey key = RateLimitKey.builder().tenant("acme").route("POST /notes").build();
    AtomicLong exactAdmitted = new AtomicLong();
    AtomicLong windowAdmitted = new AtomicLong();
    AtomicLong unavailable = new AtomicLong();
    AtomicLong windowFirstMs = new AtomicLong(Long.MAX_VALUE);
    AtomicLong windowLastMs = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch ready = new CountDownLatch(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(pool.submit(() -> {
        ready.countDown();
        ready.await();
        // Both JVMs start together, so they contend for real.
        long wait = startAt - System.currentTimeMillis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
        for (int j = 0; j < EXACT_ATTEMPTS_PER_THREAD; j++) {
          RateLimitDecision d = exact.acquire(key);
          if (d.allowed()) {
            exactAdmitted.incrementAndGet();
          }
          if (d.reason() == RateLimitDecision.Reason.STORE_UNAVAILABLE) {
            unavailable.incrementAndGet();
          }
        }
        long first = System.currentTimeMillis();
        windowFirstMs.accumulateAndGet(first, Math::min);
        long end = first + windowMillis;
        while (System.currentTimeMillis() < end) {
          RateLimitDecision d = window.acquire(key);
          if (d.allowed()) {
            windowAdmitted.incrementAndGet();
          }
          if (d.reason() == RateLimitDecision.Reason.STORE_UNAVAILABLE) {
            unavailable.incrementAndGet();
          }
        }
        windowLastMs.accumulateAndGet(System.currentTimeMillis(), Math::max);
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get(5, TimeUnit.MINUTES);
    }
    pool.shutdown();
    resource.close();
    System.out.println("exact=" + exactAdmitted.get() + " window=" + windowAdmitted.get() + " unavailable=" + unavailable.get()
        + " first=" + windowFirstMs.get() + " last=" + windowLastMs.get());
  }
}
