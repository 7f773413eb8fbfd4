package dev.bulwark.testkit.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.ratelimit.RateLimitDecision;
import dev.bulwark.ratelimit.FailurePolicy;
import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.RateLimitEvent;
import dev.bulwark.ratelimit.RateLimitKey;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.redis.RedisRateLimitStore;
import dev.bulwark.testing.redis.RedisServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A redis-server of the test's own is killed while 16 threads use two limiters on it, one with
 * {@code DENY} and one with a local budget, then started again on the same port. While it is down
 * the deny limiter admits nothing and the budget limiter admits at most its local share for its
 * bounded time; every decision then says {@code STORE_UNAVAILABLE}; both resume when it is back.
 */
class RedisOutageIT {

  private static final Quota QUOTA = Quota.of("second", 200, Duration.ofSeconds(1)).withBurst(40);
  private static final Duration BUDGET_TIME = Duration.ofSeconds(1);
  private static final int NODES = 4;

  @TempDir
  Path dir;

  private static final class Tally {
    final AtomicLong admittedWithStore = new AtomicLong();
    final AtomicLong admittedWithoutStore = new AtomicLong();
    final AtomicLong unavailable = new AtomicLong();
    final AtomicLong admittedAfterRestart = new AtomicLong();

    void count(RateLimitDecision d, int phase) {
      if (d.reason() == RateLimitDecision.Reason.STORE_UNAVAILABLE) {
        unavailable.incrementAndGet();
        if (d.allowed()) {
          admittedWithoutStore.incrementAndGet();
        }
      } else if (d.allowed()) {
        admittedWithStore.incrementAndGet();
        if (phase == 2) {
          admittedAfterRestart.incrementAndGet();
        }
      }
    }
  }

  @Test
  void killedRedis_denyAdmitsNothing_budgetStaysWithinItsShare_andBothResume() throws Exception {
    try (RedisServer server = RedisServer.start(dir);
        RedisRateLimitStore store = RedisRateLimitStore.builder(URI.create(server.uri()))
            .timeout(Duration.ofMillis(300)).reconnectDelay(Duration.ofMillis(50)).build()) {
      List<RateLimitEvent> denyEvents = new CopyOnWriteArrayList<>();
      List<RateLimitEvent> budgetEvents = new CopyOnWriteArrayList<>();
      RateLimiter deny = RateLimiter.builder("outage-deny", store).quota(QUOTA).listener(denyEvents::add).build();
      RateLimiter budget = RateLimiter.builder("outage-budget", store).quota(QUOTA)
          .failurePolicy(FailurePolicy.localBudget(NODES, BUDGET_TIME)).listener(budgetEvents::add).build();
      RateLimitKey key = RateLimitKey.builder().source("203.0.113.7").route("POST /login").build();
      Tally onDeny = new Tally();
      Tally onBudget = new Tally();
      AtomicInteger phase = new AtomicInteger(0); // 0 up, 1 killed, 2 restarted
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<?>> futures = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (int t = 0; t < 16; t++) {
        futures.add(pool.submit(() -> {
          while (System.nanoTime() < deadline) {
            int p = phase.get();
            if (p == 3) {
              return null;
            }
            onDeny.count(deny.acquire(key), p);
            onBudget.count(budget.acquire(key), p);
          }
          return null;
        }));
      }
      try {
        awaitUntil(() -> onDeny.admittedWithStore.get() > 40 && onBudget.admittedWithStore.get() > 40, deadline);
        server.kill();
        phase.set(1);
        // Past the budget's time, and long enough for many denials.
        awaitUntil(() -> budgetEvents.stream().anyMatch(e -> e.type() == RateLimitEvent.Type.LOCAL_BUDGET_EXPIRED)
            && onDeny.unavailable.get() > 1000, deadline);
        long budgetAdmittedDuringOutage = onBudget.admittedWithoutStore.get();
        server.start();
        phase.set(2);
        awaitUntil(() -> onDeny.admittedAfterRestart.get() > 0 && onBudget.admittedAfterRestart.get() > 0, deadline);
        phase.set(3);
        for (Future<?> f : futures) {
          f.get(30, TimeUnit.SECONDS);
        }
        System.out.println("redis outage: deny admitted " + onDeny.admittedWithoutStore.get() + " without the store ("
            + onDeny.unavailable.get() + " STORE_UNAVAILABLE decisions); budget admitted " + budgetAdmittedDuringOutage
            + " without the store; after restart " + onDeny.admittedAfterRestart.get() + " / "
            + onBudget.admittedAfterRestart.get() + " admitted");
        assertEquals(0, onDeny.admittedWithoutStore.get(), "DENY admits nothing without the store");
        // Local share: 200/4 = 50 per second, burst 40/4 = 10, for at most 1 s per outage.
        long perOutage = 10 + 50 * BUDGET_TIME.toMillis() / 1000 + 1;
        long outages = budgetEvents.stream().filter(e -> e.type() == RateLimitEvent.Type.STORE_UNAVAILABLE).count();
        assertTrue(outages >= 1);
        assertTrue(onBudget.admittedWithoutStore.get() <= perOutage * outages,
            onBudget.admittedWithoutStore.get() + " admitted from the local budget over " + outages + " outage(s)");
        assertTrue(budgetAdmittedDuringOutage > 0, "the local budget was used");
        assertTrue(denyEvents.stream().anyMatch(e -> e.type() == RateLimitEvent.Type.STORE_UNAVAILABLE));
        assertTrue(denyEvents.stream().anyMatch(e -> e.type() == RateLimitEvent.Type.STORE_RECOVERED));
        assertTrue(budgetEvents.stream().anyMatch(e -> e.type() == RateLimitEvent.Type.STORE_RECOVERED));
      } finally {
        phase.set(3);
        pool.shutdownNow();
      }
    }
  }

  private static void awaitUntil(java.util.function.BooleanSupplier condition, long deadline) throws InterruptedException {
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within the test's time bound");
      }
      Thread.sleep(20);
    }
  }
}
