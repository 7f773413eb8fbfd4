package dev.bulwark.testkit.authn.lockout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.lockout.Attempts;
import dev.bulwark.authn.lockout.LockoutRule;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.testkit.StoreContract;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link AttemptStore} must show: exact atomic counting, expiry, the disabled
 * flag that outlives expiry, reset, independence of keys. Extend it and return a fresh, empty
 * store from {@link #createStore}. Stores may keep times at millisecond precision.
 */
public abstract class AttemptStoreContract extends StoreContract<AttemptStore> {

  /** Threads used by the concurrency test; override to raise it for a networked store. */
  protected int concurrencyThreads() {
    return 8;
  }

  private Instant now() {
    return clock.instant();
  }

  private Attempts fail(String key, Duration ttl, long disableAt) {
    return store.recordFailure(key, now(), now().plus(ttl), disableAt);
  }

  @Test
  void unknownKey_hasNoAttempts() {
    assertEquals(Attempts.NONE, store.get("never-seen", now()));
  }

  @Test
  void failures_countUpFromOne_andRecordTheirTime() {
    assertEquals(1, fail("k", Duration.ofHours(1), Long.MAX_VALUE).failures());
    clock.advance(Duration.ofSeconds(5));
    Attempts second = fail("k", Duration.ofHours(1), Long.MAX_VALUE);
    assertEquals(2, second.failures());
    assertEquals(now().truncatedTo(ChronoUnit.MILLIS), second.lastFailureAt().truncatedTo(ChronoUnit.MILLIS));
    assertFalse(second.disabled());
    assertEquals(second, store.get("k", now()));
  }

  @Test
  void expiredRecord_readsAsNone_andRestartsAtOne() {
    fail("k", Duration.ofMinutes(10), Long.MAX_VALUE);
    fail("k", Duration.ofMinutes(10), Long.MAX_VALUE);
    clock.advance(Duration.ofMinutes(10).minusMillis(1));
    assertEquals(2, store.get("k", now()).failures(), "kept until expiresAt");
    clock.advance(Duration.ofMillis(1));
    assertEquals(Attempts.NONE, store.get("k", now()));
    assertEquals(1, fail("k", Duration.ofMinutes(10), Long.MAX_VALUE).failures());
  }

  @Test
  void eachFailure_extendsTheExpiry() {
    fail("k", Duration.ofMinutes(10), Long.MAX_VALUE);
    clock.advance(Duration.ofMinutes(9));
    fail("k", Duration.ofMinutes(10), Long.MAX_VALUE);
    clock.advance(Duration.ofMinutes(9));
    assertEquals(2, store.get("k", now()).failures());
  }

  @Test
  void reachingDisableAt_disables_andDisabledNeverExpires() {
    for (int i = 1; i <= 2; i++) {
      assertFalse(fail("k", Duration.ofMinutes(1), 3).disabled());
    }
    Attempts third = fail("k", Duration.ofMinutes(1), 3);
    assertTrue(third.disabled());
    assertEquals(3, third.failures());
    clock.advance(Duration.ofDays(3650));
    Attempts later = store.get("k", now());
    assertTrue(later.disabled());
    assertEquals(3, later.failures());
    Attempts fourth = fail("k", Duration.ofMinutes(1), 3);
    assertTrue(fourth.disabled());
    assertEquals(4, fourth.failures(), "a disabled record keeps counting, it does not restart");
  }

  @Test
  void disableAtOne_disablesOnTheFirstFailure() {
    assertTrue(fail("k", Duration.ofMinutes(1), 1).disabled());
  }

  @Test
  void reset_clearsEverything_includingDisabled() {
    fail("k", Duration.ofHours(1), 1);
    store.reset("k");
    assertEquals(Attempts.NONE, store.get("k", now()));
    assertEquals(1, fail("k", Duration.ofHours(1), 5).failures());
    store.reset("absent-key");
  }

  @Test
  void keys_areIndependent_andMayHoldAnyText() {
    List<String> keys = List.of("a:alice", "a:Alice", "f:password:alice", "s:2001:db8::1", "a:ünïcødé ☃",
        "a:" + "x".repeat(300), "a:quote'\"; DROP TABLE x; --", "a:");
    for (int i = 0; i < keys.size(); i++) {
      for (int j = 0; j <= i; j++) {
        fail(keys.get(i), Duration.ofHours(1), Long.MAX_VALUE);
      }
    }
    for (int i = 0; i < keys.size(); i++) {
      assertEquals(i + 1, store.get(keys.get(i), now()).failures(), keys.get(i));
    }
  }

  @Test
  void getAll_readsSeveralKeys_likeGet() {
    fail("one", Duration.ofHours(1), Long.MAX_VALUE);
    fail("two", Duration.ofHours(1), Long.MAX_VALUE);
    fail("two", Duration.ofHours(1), Long.MAX_VALUE);
    fail("gone", Duration.ofSeconds(1), Long.MAX_VALUE);
    fail("off", Duration.ofSeconds(1), 1);
    clock.advance(Duration.ofSeconds(1));
    java.util.Map<String, Attempts> all = store.getAll(List.of("one", "two", "gone", "off", "absent"), now());
    assertEquals(5, all.size());
    for (String k : all.keySet()) {
      assertEquals(store.get(k, now()), all.get(k), k);
    }
    assertEquals(2, all.get("two").failures());
    assertEquals(Attempts.NONE, all.get("gone"));
    assertTrue(all.get("off").disabled());
    assertEquals(Attempts.NONE, all.get("absent"));
    assertTrue(store.getAll(List.of(), now()).isEmpty());
  }

  @Test
  void recordFailures_countsEachKeyOnce_inTheGivenOrder() {
    fail("s:b", Duration.ofHours(1), Long.MAX_VALUE);
    fail("s:b", Duration.ofHours(1), Long.MAX_VALUE);
    List<Attempts> after = store.recordFailures(List.of(
        new AttemptStore.Failure("z:a", now(), now().plus(Duration.ofHours(1)), Long.MAX_VALUE),
        new AttemptStore.Failure("s:b", now(), now().plus(Duration.ofHours(1)), 3),
        new AttemptStore.Failure("a:c", now(), now().plus(Duration.ofHours(1)), 1)));
    assertEquals(3, after.size());
    assertEquals(1, after.get(0).failures());
    assertFalse(after.get(0).disabled());
    assertEquals(3, after.get(1).failures());
    assertTrue(after.get(1).disabled());
    assertTrue(after.get(2).disabled());
    assertEquals(after.get(1), store.get("s:b", now()));
    assertTrue(store.recordFailures(List.of()).isEmpty());
  }

  @Test
  void concurrentFailures_areNeverLostNorDoubleCounted() throws Exception {
    int threads = concurrencyThreads();
    int perThread = 100;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<Long>>> futures = new ArrayList<>();
    Instant t = now();
    try {
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          List<Long> seen = new ArrayList<>(perThread);
          for (int j = 0; j < perThread; j++) {
            seen.add(store.recordFailure("hot", t, t.plusSeconds(3600), Long.MAX_VALUE).failures());
          }
          return seen;
        }));
      }
      start.countDown();
      Set<Long> counts = new HashSet<>();
      for (Future<List<Long>> f : futures) {
        for (long c : f.get(120, TimeUnit.SECONDS)) {
          assertTrue(counts.add(c), "count " + c + " returned twice");
        }
      }
      long total = (long) threads * perThread;
      assertEquals(total, counts.size());
      assertEquals(total, store.get("hot", t).failures());
      assertTrue(counts.contains(1L) && counts.contains(total), "every count from 1 to N was returned once");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentRecordFailures_onOverlappingKeys_countEachKeyExactly_withoutDeadlock() throws Exception {
    int threads = concurrencyThreads();
    int perThread = 60;
    List<String> pool = List.of("a:shared", "f:password:shared", "s:203.0.113.9", "a:other", "s:198.51.100.1");
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<long[]>> futures = new ArrayList<>();
    Instant t = now();
    try {
      for (int i = 0; i < threads; i++) {
        int seed = i;
        futures.add(executor.submit(() -> {
          start.await();
          long[] chosen = new long[pool.size()];
          java.util.Random random = new java.util.Random(seed);
          for (int j = 0; j < perThread; j++) {
            // Three distinct keys out of five, in a random order: callers overlap on every key.
            List<Integer> picks = new ArrayList<>(List.of(0, 1, 2, 3, 4));
            java.util.Collections.shuffle(picks, random);
            List<AttemptStore.Failure> failures = new ArrayList<>();
            for (int k : picks.subList(0, 3)) {
              failures.add(new AttemptStore.Failure(pool.get(k), t, t.plusSeconds(3600), Long.MAX_VALUE));
              chosen[k]++;
            }
            List<Attempts> after = store.recordFailures(failures);
            assertEquals(3, after.size());
            for (Attempts a : after) {
              assertTrue(a.failures() >= 1);
            }
          }
          return chosen;
        }));
      }
      start.countDown();
      long[] expected = new long[pool.size()];
      for (Future<long[]> f : futures) {
        long[] chosen = f.get(120, TimeUnit.SECONDS);
        for (int k = 0; k < expected.length; k++) {
          expected[k] += chosen[k];
        }
      }
      for (int k = 0; k < expected.length; k++) {
        assertEquals(expected[k], store.get(pool.get(k), t).failures(), pool.get(k));
      }
    } finally {
      executor.shutdownNow();
    }
  }

  // --- reserve and refund: the attempt is counted before it is verified ---

  /** 2 free failures, then 1 s doubling to 8 s; disabled at 6. */
  private static final LockoutRule RULE =
      new LockoutRule(2, Duration.ofSeconds(1), Duration.ofSeconds(8), 6, Duration.ofHours(1));

  private AttemptStore.Reservation reservation(String key) {
    return new AttemptStore.Reservation(key, now(), now().plus(RULE.forgetAfter()), RULE);
  }

  @Test
  void reserve_countsWhileTheRuleAdmits_thenRefusesAndCountsNothing() {
    for (int i = 1; i <= 3; i++) {
      AttemptStore.Admission a = store.reserve(List.of(reservation("r")));
      assertTrue(a.admitted(), "attempt " + i + " is within the free failures and the one after them");
      assertEquals(i, a.records().get(0).failures());
    }
    AttemptStore.Admission refused = store.reserve(List.of(reservation("r")));
    assertFalse(refused.admitted(), "after 3 failures a 1 s wait is owed");
    assertEquals(3, refused.records().get(0).failures(), "a refused attempt reports the current record");
    assertEquals(3, store.get("r", now()).failures(), "and counts nothing");
    clock.advance(Duration.ofSeconds(1));
    assertTrue(store.reserve(List.of(reservation("r"))).admitted(), "the wait is over");
    assertEquals(4, store.get("r", now()).failures());
  }

  @Test
  void reserve_isAllOrNothing_overSeveralKeys() {
    for (int i = 0; i < 3; i++) {
      store.recordFailure("locked", now(), now().plusSeconds(3600), RULE.disableAt());
    }
    AttemptStore.Admission a = store.reserve(List.of(reservation("open"), reservation("locked"), reservation("open-too")));
    assertFalse(a.admitted());
    assertEquals(List.of(0L, 3L, 0L), a.records().stream().map(Attempts::failures).toList());
    assertEquals(Attempts.NONE, store.get("open", now()), "the admitting keys were not charged either");
    assertEquals(Attempts.NONE, store.get("open-too", now()));
  }

  @Test
  void reserve_reachingDisableAt_disables_andDisabledRefusesForever() {
    for (int i = 0; i < 6; i++) {
      assertTrue(store.reserve(List.of(reservation("d"))).admitted(), "attempt " + (i + 1));
      clock.advance(Duration.ofSeconds(8));
    }
    assertTrue(store.get("d", now()).disabled());
    clock.advance(Duration.ofDays(30));
    AttemptStore.Admission a = store.reserve(List.of(reservation("d")));
    assertFalse(a.admitted());
    assertTrue(a.records().get(0).disabled());
  }

  @Test
  void refund_givesTheCountBack_andReEnablesAKeyThatTheRefundedAttemptDisabled() {
    store.reserve(List.of(reservation("x")));
    store.reserve(List.of(reservation("x")));
    store.refund(List.of(reservation("x")));
    assertEquals(1, store.get("x", now()).failures());
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(8));
      assertTrue(store.reserve(List.of(reservation("x"))).admitted());
    }
    assertTrue(store.get("x", now()).disabled());
    store.refund(List.of(reservation("x")));
    assertEquals(5, store.get("x", now()).failures());
    assertFalse(store.get("x", now()).disabled(), "the refunded attempt was the one that disabled the key");
    store.reset("x");
    store.refund(List.of(reservation("x")));
    assertEquals(0, store.get("x", now()).failures(), "a refund never goes below zero");
  }

  /**
   * The point of reserving: N parallel attempts on one key, at one instant, are admitted at most
   * as often as one after another (free failures + 1), never once per thread.
   */
  @Test
  void concurrentReserve_admitsNoMoreThanASequentialRun() throws Exception {
    int threads = Math.max(concurrencyThreads(), 16);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < threads * 4; i++) {
        String source = "s:" + (i % 3);
        futures.add(pool.submit(() -> {
          start.await();
          return store.reserve(List.of(reservation("a:target"), reservation("f:password:target"),
              new AttemptStore.Reservation(source, now(), now().plusSeconds(3600),
                  new LockoutRule(100, Duration.ofSeconds(1), Duration.ofSeconds(1), 0, Duration.ofHours(1))))).admitted();
        }));
      }
      start.countDown();
      int admitted = 0;
      for (Future<Boolean> f : futures) {
        admitted += f.get(120, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertTrue(admitted >= 1 && admitted <= 3, "admitted " + admitted + " of " + threads * 4 + ", at most 3 allowed");
      long charged = store.get("a:target", now()).failures();
      assertEquals(admitted, charged, "exactly the admitted attempts are counted");
      assertEquals(admitted, store.get("f:password:target", now()).failures());
      long sources = 0;
      for (int i = 0; i < 3; i++) {
        sources += store.get("s:" + i, now()).failures();
      }
      assertEquals(admitted, sources, "refused attempts left the source keys as they were");
    } finally {
      pool.shutdownNow();
    }
  }
}
