package dev.bulwark.authn.lockout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.lockout.internal.InMemoryAttemptStore;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The in-memory store under concurrency: counts are exact, never lost, never exceeded. */
class AttemptStoreProperties {

  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void concurrentFailures_areCountedExactly() {
    PropertyRunner.forAll(25, c -> {
      int threads = c.draw("threads", Generators.ints(1, 8));
      int perThread = c.draw("perThread", Generators.ints(1, 400));
      int keys = c.draw("keys", Generators.ints(1, 4));
      AttemptStore store = AttemptStore.inMemory(() -> T);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<Long>>> results = new ArrayList<>();
      try {
        for (int t = 0; t < threads; t++) {
          int offset = t;
          results.add(pool.submit(() -> {
            start.await();
            List<Long> seen = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
              seen.add(store.recordFailure("k" + ((i + offset) % keys), T, T.plusSeconds(3600), Long.MAX_VALUE).failures()
                  * keys + ((i + offset) % keys));
            }
            return seen;
          }));
        }
        start.countDown();
        Set<Long> all = new HashSet<>();
        for (Future<List<Long>> f : results) {
          for (long v : f.get(60, TimeUnit.SECONDS)) {
            assertTrue(all.add(v), "two failures saw the same count on one key");
          }
        }
        long total = 0;
        for (int k = 0; k < keys; k++) {
          total += store.get("k" + k, T).failures();
        }
        assertEquals((long) threads * perThread, total);
      } finally {
        pool.shutdownNow();
      }
    });
  }

  @Test
  void disableThreshold_isCrossedExactlyOnce() {
    PropertyRunner.forAll(50, c -> {
      int disableAt = c.draw("disableAt", Generators.ints(2, 100));
      int failures = c.draw("failures", Generators.ints(1, 150));
      AttemptStore store = AttemptStore.inMemory(() -> T);
      int crossings = 0;
      boolean before = false;
      for (int i = 0; i < failures; i++) {
        Attempts a = store.recordFailure("k", T, T.plusSeconds(1), disableAt);
        if (a.disabled() && !before) {
          crossings++;
          assertEquals(disableAt, a.failures());
        }
        before = a.disabled();
      }
      assertEquals(failures >= disableAt ? 1 : 0, crossings);
      assertEquals(failures >= disableAt, store.get("k", T.plusSeconds(10_000)).disabled(), "disabled outlives expiry");
    });
  }

  /**
   * Failures from many threads while the clock moves forward in steps (so counters keep passing
   * the time the cache was told to keep them, and cache maintenance expires entries concurrently):
   * as long as no record is idle for its whole lifetime, every failure is counted exactly once.
   */
  @Test
  void concurrentFailures_withAMovingClockAndMaintenance_areCountedExactly() {
    PropertyRunner.forAll(20, c -> {
      int threads = c.draw("threads", Generators.ints(2, 6));
      int perThread = c.draw("perThread", Generators.ints(50, 400));
      int keys = c.draw("keys", Generators.ints(1, 4));
      int stepMinutes = c.draw("stepMinutes", Generators.ints(1, 9));
      AtomicReference<Instant> clock = new AtomicReference<>(T);
      InMemoryAttemptStore store = new InMemoryAttemptStore(clock::get);
      Duration ttl = Duration.ofHours(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
      CountDownLatch start = new CountDownLatch(1);
      AtomicBoolean done = new AtomicBoolean();
      AtomicLong progress = new AtomicLong();
      List<Future<List<Long>>> results = new ArrayList<>();
      try {
        // The clock moves at most 55 minutes in all: no record, whose lifetime is an hour from its
        // last failure, can expire, but the 15-minute keep-until margin is passed several times.
        int steps = 55 / stepMinutes;
        long total = (long) threads * perThread;
        Future<?> mover = pool.submit(() -> {
          start.await();
          for (int step = 1; step <= steps; step++) {
            // Spread the steps over the run: wait for the failures of this step's share.
            while (progress.get() < step * total / (steps + 1) && !done.get()) {
              Thread.onSpinWait();
            }
            clock.updateAndGet(t -> t.plus(Duration.ofMinutes(stepMinutes)));
            store.keysHeld();
          }
          return null;
        });
        for (int t = 0; t < threads; t++) {
          int offset = t;
          results.add(pool.submit(() -> {
            start.await();
            List<Long> seen = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
              int key = (i + offset) % keys;
              Instant now = clock.get();
              seen.add(store.recordFailure("k" + key, now, now.plus(ttl), Long.MAX_VALUE).failures() * keys + key);
              progress.incrementAndGet();
            }
            return seen;
          }));
        }
        start.countDown();
        Set<Long> all = new HashSet<>();
        for (Future<List<Long>> f : results) {
          for (long v : f.get(60, TimeUnit.SECONDS)) {
            assertTrue(all.add(v), "two failures saw the same count on one key");
          }
        }
        done.set(true);
        mover.get(60, TimeUnit.SECONDS);
        long stored = 0;
        for (int k = 0; k < keys; k++) {
          stored += store.get("k" + k, clock.get()).failures();
        }
        assertEquals(total, stored);
      } finally {
        done.set(true);
        pool.shutdownNow();
      }
    });
  }

  /**
   * However many keys an attack sprays, the store holds at most its bound of keys that are not
   * disabled, and never forgets a disabled one.
   */
  @Test
  void smallStore_underASpray_staysBounded_andKeepsEveryDisabledKey() {
    PropertyRunner.forAll(30, c -> {
      int maxKeys = c.draw("maxKeys", Generators.ints(1, 64));
      int disabledKeys = c.draw("disabledKeys", Generators.ints(0, 30));
      int sprayKeys = c.draw("sprayKeys", Generators.ints(0, 3000));
      InMemoryAttemptStore store = new InMemoryAttemptStore(() -> T, maxKeys);
      Instant later = T.plusSeconds(3600);
      for (int i = 0; i < Math.max(disabledKeys, sprayKeys); i++) {
        if (i < disabledKeys) {
          store.recordFailure("f:totp:victim-" + i, T, later, 1);
        }
        if (i < sprayKeys) {
          store.recordFailure("a:spray-" + i, T, later, Long.MAX_VALUE);
        }
      }
      assertTrue(store.keysHeld() <= maxKeys + disabledKeys, store.toString());
      for (int i = 0; i < disabledKeys; i++) {
        assertTrue(store.get("f:totp:victim-" + i, T).disabled(), "victim-" + i);
      }
    });
  }
}
