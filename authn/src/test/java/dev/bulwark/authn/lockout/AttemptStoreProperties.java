package dev.bulwark.authn.lockout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.lockout.spi.AttemptStore;
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
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The in-memory store under concurrency: counts are exact, never lost, never exceeded. */
class AttemptStoreProperties {

  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  @Property(tries = 25)
  void concurrentFailures_areCountedExactly(@ForAll @IntRange(min = 1, max = 8) int threads,
      @ForAll @IntRange(min = 1, max = 400) int perThread, @ForAll @IntRange(min = 1, max = 4) int keys) throws Exception {
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
  }

  @Property(tries = 50)
  void disableThreshold_isCrossedExactlyOnce(@ForAll @IntRange(min = 2, max = 100) int disableAt,
      @ForAll @IntRange(min = 1, max = 150) int failures) {
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
  }
}
