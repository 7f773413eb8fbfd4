package dev.bulwark.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Properties of the GCRA limiter over seeded random quotas and arrival patterns
 * ({@code -Dbulwark.seed=N} to replay; every failure names the seed and the case).
 */
class GcraProperties {

  private static final long SEED = Long.getLong("bulwark.seed", 0x5eed_6c7aL);

  private static Quota randomQuota(SplittableRandom r, String name) {
    long limit = 1 + r.nextLong(1000);
    Duration period = Duration.ofMillis(1 + r.nextLong(120_000));
    if (period.toNanos() / 1000 / limit < 1) {
      period = Duration.ofMillis(limit);
    }
    return new Quota(name, limit, period, 1 + r.nextLong(50));
  }

  /**
   * A client that asks again no later than its Retry-After (here: after a random part of it) is
   * admitted exactly {@code burst + floor(t / interval)} units by time t: nothing is lost, nothing
   * extra is given.
   */
  @Test
  void clientFollowingRetryAfter_isAdmittedExactlyBurstPlusRateTimesT() {
    SplittableRandom random = new SplittableRandom(SEED);
    for (int c = 0; c < 200; c++) {
      String where = "seed " + SEED + ", case " + c;
      Quota q = randomQuota(random, "q");
      FakeClock clock = FakeClock.atDefaultEpoch();
      RateLimiter rl = RateLimiter.builder("p", InMemoryRateLimitStore.builder().clock(clock).maxKeys(100).build()).clock(clock).quota(q).build();
      RateLimitKey key = RateLimitKey.of("k");
      long elapsed = 0;
      long admitted = 0;
      int steps = 50 + random.nextInt(300);
      for (int s = 0; s < steps; s++) {
        RateLimitDecision d;
        while ((d = rl.acquire(key)).allowed()) {
          admitted++;
        }
        assertEquals(q.burst() + elapsed / q.intervalMicros(), admitted, where + ", " + q + ", t=" + elapsed + " µs");
        long retryMicros = d.retryAfter().toNanos() / 1000;
        long gap = random.nextBoolean() ? retryMicros : 1 + random.nextLong(retryMicros);
        clock.advance(Duration.ofNanos(gap * 1000));
        elapsed += gap;
      }
    }
  }

  /** Whatever the arrivals and costs, no window of length L holds more than burst + floor(L / interval) admitted units. */
  @Test
  void anyArrivalPattern_neverExceedsBurstPlusRateInAnyWindow() {
    SplittableRandom random = new SplittableRandom(SEED + 1);
    for (int c = 0; c < 150; c++) {
      String where = "seed " + (SEED + 1) + ", case " + c;
      Quota a = randomQuota(random, "a");
      Quota b = randomQuota(random, "b");
      List<Quota> quotas = random.nextBoolean() ? List.of(a) : List.of(a, b);
      FakeClock clock = FakeClock.atDefaultEpoch();
      RateLimiter.Builder builder = RateLimiter.builder("p", InMemoryRateLimitStore.builder().clock(clock).maxKeys(100).build()).clock(clock);
      quotas.forEach(builder::quota);
      RateLimiter rl = builder.build();
      long maxCost = quotas.stream().mapToLong(Quota::burst).min().orElseThrow();
      RateLimitKey key = RateLimitKey.of("k");
      List<long[]> admitted = new ArrayList<>(); // {time, cost}
      long t = 0;
      for (int i = 0; i < 400; i++) {
        long cost = 1 + random.nextLong(Math.min(maxCost, 3));
        if (rl.acquire(key, cost).allowed()) {
          admitted.add(new long[] {t, cost});
        }
        long gap = random.nextInt(4) == 0 ? 0 : random.nextLong(a.intervalMicros() * 3 + 1);
        clock.advance(Duration.ofNanos(gap * 1000));
        t += gap;
      }
      for (Quota q : quotas) {
        for (int i = 0; i < admitted.size(); i++) {
          long units = 0;
          for (int j = i; j < admitted.size(); j++) {
            units += admitted.get(j)[1];
            long window = admitted.get(j)[0] - admitted.get(i)[0];
            assertTrue(units <= q.burst() + window / q.intervalMicros(),
                where + ": " + units + " units in " + window + " µs under " + q);
          }
        }
      }
    }
  }

  /** Many threads on one key never take more than the burst while time stands still. */
  @Test
  void parallelThreads_neverOverAdmit() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED + 2);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int c = 0; c < 20; c++) {
        String where = "seed " + (SEED + 2) + ", case " + c;
        long burst = 1 + random.nextLong(500);
        FakeClock clock = FakeClock.atDefaultEpoch();
        RateLimiter rl = RateLimiter.builder("p", InMemoryRateLimitStore.builder().clock(clock).maxKeys(100).build()).clock(clock)
            .quota(Quota.perDay(10).withBurst(burst)).quota(Quota.perMinute(1000).withBurst(burst + 3)).build();
        RateLimitKey key = RateLimitKey.of("hot");
        AtomicLong admitted = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int th = 0; th < 8; th++) {
          futures.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < 200; i++) {
              if (rl.acquire(key).allowed()) {
                admitted.incrementAndGet();
              }
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
        assertEquals(Math.min(burst, 1600), admitted.get(), where);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
