package dev.bulwark.testkit.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.ratelimit.spi.Step;
import dev.bulwark.testkit.StoreContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link RateLimitStore} must show: the GCRA step exactly as the SPI defines
 * it, all-or-nothing across quotas, denied steps that change nothing, independent keys of any
 * text, a changed quota count treated as a fresh key, and exact admission counts under concurrent
 * steps. Extend it and return a fresh, empty store from {@link #createStore}.
 *
 * <p>Stores that read time from their own server (PostgreSQL, Redis) pass too: the tests that
 * must not see time pass use per-day quotas, and refill is shown with an interval of one
 * microsecond after moving the {@link #clock} by one (a server's clock moves by itself).
 */
public abstract class RateLimitStoreContract extends StoreContract<RateLimitStore> {

  /** Threads used by the concurrency test; override to raise it for a networked store. */
  protected int concurrencyThreads() {
    return 8;
  }

  private static final Quota DAY_5 = Quota.perDay(50).withBurst(5);
  private static final Quota DAY_BIG = Quota.of("big", 1000, Duration.ofDays(1)).withBurst(10);

  @Test
  void freshKey_isAdmitted_andItsArrivalTimeIsNowPlusCostIntervals() throws Exception {
    Step s = store.acquire("fresh", List.of(DAY_5, DAY_BIG), 3);
    assertTrue(s.admitted());
    assertEquals(2, s.quotas());
    assertEquals(s.nowMicros() + 3 * DAY_5.intervalMicros(), s.tatMicros(0));
    assertEquals(s.nowMicros() + 3 * DAY_BIG.intervalMicros(), s.tatMicros(1));
  }

  @Test
  void burst_isAdmittedExactly_thenDenied_andDenialsChangeNothing() throws Exception {
    Step first = store.acquire("k", List.of(DAY_5), 1);
    long base = first.tatMicros(0) - DAY_5.intervalMicros();
    for (int i = 2; i <= 5; i++) {
      Step s = store.acquire("k", List.of(DAY_5), 1);
      assertTrue(s.admitted(), "unit " + i);
      assertEquals(base + i * DAY_5.intervalMicros(), s.tatMicros(0));
    }
    for (int i = 0; i < 20; i++) {
      Step s = store.acquire("k", List.of(DAY_5), 1);
      assertFalse(s.admitted());
      assertEquals(base + 5 * DAY_5.intervalMicros(), s.tatMicros(0), "a denial leaves the arrival time alone");
    }
  }

  @Test
  void cost_isTakenWhole_orNotAtAll() throws Exception {
    assertTrue(store.acquire("c", List.of(DAY_5), 3).admitted());
    assertFalse(store.acquire("c", List.of(DAY_5), 3).admitted(), "3 more do not fit in the 2 left");
    assertTrue(store.acquire("c", List.of(DAY_5), 2).admitted());
    assertFalse(store.acquire("c", List.of(DAY_5), 1).admitted());
  }

  @Test
  void severalQuotas_areAllOrNothing() throws Exception {
    List<Quota> both = List.of(DAY_BIG, DAY_5);
    Step first = store.acquire("m", both, 1);
    long bigBase = first.tatMicros(0) - DAY_BIG.intervalMicros();
    for (int i = 0; i < 4; i++) {
      assertTrue(store.acquire("m", both, 1).admitted());
    }
    for (int i = 0; i < 10; i++) {
      Step s = store.acquire("m", both, 1);
      assertFalse(s.admitted(), "the 5-unit quota is exhausted");
      assertEquals(bigBase + 5 * DAY_BIG.intervalMicros(), s.tatMicros(0), "the other quota gave nothing either");
    }
  }

  @Test
  void keys_areIndependent_andMayHoldAnyText() throws Exception {
    List<String> keys = List.of("a|t:x", "a|t:X", "a|p:ünïcødé ☃", "a|s:2001:db8::1", "a|r:quote'\"; DROP TABLE x; --",
        "a|k:{brace}", "a|k:" + "x".repeat(570), "b|t:x");
    for (int i = 0; i < keys.size(); i++) {
      for (int j = 0; j <= i && j < 5; j++) {
        assertTrue(store.acquire(keys.get(i), List.of(DAY_5), 1).admitted(), keys.get(i));
      }
    }
    for (int i = 0; i < keys.size(); i++) {
      int used = Math.min(i + 1, 5);
      assertEquals(used < 5, store.acquire(keys.get(i), List.of(DAY_5), 1).admitted(), keys.get(i));
    }
  }

  @Test
  void aKeyStoredWithAnotherNumberOfQuotas_isTreatedAsFresh() throws Exception {
    for (int i = 0; i < 5; i++) {
      store.acquire("q", List.of(DAY_5), 1);
    }
    assertFalse(store.acquire("q", List.of(DAY_5), 1).admitted());
    Step s = store.acquire("q", List.of(DAY_5, DAY_BIG), 1);
    assertTrue(s.admitted());
    assertEquals(s.nowMicros() + DAY_5.intervalMicros(), s.tatMicros(0));
    for (int i = 0; i < 4; i++) {
      assertTrue(store.acquire("q", List.of(DAY_5, DAY_BIG), 1).admitted());
    }
    assertFalse(store.acquire("q", List.of(DAY_5, DAY_BIG), 1).admitted());
    Step back = store.acquire("q", List.of(DAY_5), 2);
    assertTrue(back.admitted(), "and back to one quota: fresh again");
    assertEquals(back.nowMicros() + 2 * DAY_5.intervalMicros(), back.tatMicros(0));
  }

  @Test
  void time_refillsAUnitAfterOneInterval() throws Exception {
    Quota perMicro = Quota.of("fast", 1_000_000, Duration.ofSeconds(1)).withBurst(1);
    Step a = store.acquire("r", List.of(perMicro), 1);
    assertTrue(a.admitted());
    clock.advance(Duration.ofNanos(1000));
    Step b = store.acquire("r", List.of(perMicro), 1);
    assertTrue(b.admitted(), "one microsecond later the unit is back: " + a + " then " + b);
    assertTrue(b.nowMicros() >= a.nowMicros() + 1);
  }

  @Test
  void concurrentSteps_onOneKey_admitExactlyTheBurst() throws Exception {
    int threads = concurrencyThreads();
    int perThread = 60;
    Quota q = Quota.perDay(1000).withBurst(137);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          int admitted = 0;
          for (int j = 0; j < perThread; j++) {
            if (store.acquire("hot", List.of(q), 1).admitted()) {
              admitted++;
            }
          }
          return admitted;
        }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> f : futures) {
        total += f.get(120, TimeUnit.SECONDS);
      }
      assertEquals(Math.min(137, threads * perThread), total);
    } finally {
      pool.shutdownNow();
    }
  }
}
