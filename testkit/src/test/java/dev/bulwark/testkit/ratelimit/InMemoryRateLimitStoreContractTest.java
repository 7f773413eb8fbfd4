package dev.bulwark.testkit.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.ratelimit.InMemoryRateLimitStore;
import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryRateLimitStoreContractTest extends RateLimitStoreContract {

  @Override
  protected RateLimitStore createStore(FakeClock clock) {
    return InMemoryRateLimitStore.builder().clock(clock).maxKeys(10_000).build();
  }

  @Test
  void idleKeys_expire_onlyOnceTheyEqualAFreshKey() throws Exception {
    InMemoryRateLimitStore s = (InMemoryRateLimitStore) store;
    Quota q = Quota.of("m", 10, Duration.ofMinutes(1)).withBurst(10);
    for (int i = 0; i < 10; i++) {
      assertTrue(s.acquire("idle", List.of(q), 1).admitted());
    }
    assertFalse(s.acquire("idle", List.of(q), 1).admitted());
    clock.advance(Duration.ofSeconds(5));
    assertEquals(1, s.size(), "still live: its units come back one per 6 s");
    assertFalse(s.acquire("idle", List.of(q), 1).admitted());
    clock.advance(Duration.ofMinutes(1).plusSeconds(2));
    assertEquals(0, s.size(), "idle past its tolerance: forgotten");
    for (int i = 0; i < 10; i++) {
      assertTrue(s.acquire("idle", List.of(q), 1).admitted(), "a forgotten key is a full one");
    }
    assertFalse(s.acquire("idle", List.of(q), 1).admitted());
  }

  @Test
  void manyKeys_areBounded() throws Exception {
    InMemoryRateLimitStore s = InMemoryRateLimitStore.builder().clock(clock).maxKeys(100).build();
    for (int i = 0; i < 5_000; i++) {
      s.acquire("k" + i, List.of(Quota.perDay(5)), 1);
    }
    assertTrue(s.size() <= 100, "held " + s.size());
  }

  @Test
  void sweepRacingDecisions_neverForgetsAnAdmission() throws Exception {
    InMemoryRateLimitStore s = InMemoryRateLimitStore.builder().clock(clock).maxKeys(100_000).build();
    Quota q = Quota.of("m", 5, Duration.ofMinutes(1)).withBurst(5);
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread sweeper = new Thread(() -> {
      while (!stop.get()) {
        s.size();
      }
    });
    sweeper.start();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 2_000; round++) {
        String key = "race-" + round;
        java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
          futures.add(pool.submit(() -> {
            go.await();
            for (int i = 0; i < 3; i++) {
              if (s.acquire(key, List.of(q), 1).admitted()) {
                admitted.incrementAndGet();
              }
            }
            return null;
          }));
        }
        go.countDown();
        for (java.util.concurrent.Future<?> f : futures) {
          f.get();
        }
        assertEquals(5, admitted.get(), "round " + round + ": 12 requests on a burst of 5 at one instant");
      }
    } finally {
      stop.set(true);
      sweeper.join();
      pool.shutdownNow();
    }
  }

  @Test
  void systemClock_decidesOnTheMonotonicCounter() throws Exception {
    InMemoryRateLimitStore s = InMemoryRateLimitStore.builder().build();
    Quota q = Quota.perDay(3);
    for (int i = 0; i < 3; i++) {
      assertTrue(s.acquire("mono", List.of(q), 1).admitted());
    }
    var denied = s.acquire("mono", List.of(q), 1);
    assertFalse(denied.admitted());
    long wall = java.time.Instant.now().getEpochSecond() * 1_000_000L;
    assertTrue(Math.abs(denied.nowMicros() - wall) < 5_000_000L, "anchored to the wall clock: " + denied.nowMicros());
  }
}
