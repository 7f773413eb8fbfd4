package dev.bulwark.testkit.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.detect.ActivityEvent;
import dev.bulwark.detect.Assessment;
import dev.bulwark.detect.Detection;
import dev.bulwark.detect.Detector;
import dev.bulwark.detect.InMemoryDetectState;
import dev.bulwark.detect.RiskLevel;
import dev.bulwark.detect.Thresholds;
import dev.bulwark.detect.spi.DetectState;
import dev.bulwark.testkit.StoreContract;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link DetectState} must show: windows exact to the millisecond on the
 * events' own times and saturating at their cap, older events counted at the newest time, sets
 * counting distinct members in their window and forgetting the oldest beyond the cap, records
 * where the last {@code put} and the first {@code putIfAbsent} win, independent names and keys of
 * any text, counters exact to their buckets, and no lost event, member, count or record under 16
 * threads at once. Then two detectors ("two nodes") on {@link #createStore} and
 * {@link #secondNode} see a brute force, a password spray and a distributed credential-stuffing
 * wave (through the shared global failure baseline) that neither sees alone. Extend it and return a fresh, empty state from
 * {@link #createStore}.
 */
public abstract class DetectStateContract extends StoreContract<DetectState> {

  private static final long MIN = 60_000;

  /**
   * A second handle on the same state as {@link #store}, as another node would have (its own
   * connection or pool). The default returns {@link #store} itself (one process).
   */
  protected DetectState secondNode() throws Exception {
    return store;
  }

  /** Threads of the concurrency tests. */
  protected int threads() {
    return 16;
  }

  /** Steps each thread makes in the concurrency tests. */
  protected int stepsPerThread() {
    return 50;
  }

  private long t0() {
    return clock.instant().toEpochMilli();
  }

  @Test
  void window_countsEventsInHalfOpenInterval_exactToTheMillisecond() {
    long t = t0();
    assertEquals(0, store.countEvents("fail", "alice", t, MIN));
    assertEquals(1, store.addEvent("fail", "alice", t, MIN, 10));
    assertEquals(2, store.addEvent("fail", "alice", t + MIN - 1, MIN, 10));
    assertEquals(2, store.countEvents("fail", "alice", t + MIN - 1, MIN));
    // At t + W the first event (at t) has left (t + W - W, t + W].
    assertEquals(1, store.countEvents("fail", "alice", t + MIN, MIN));
    assertEquals(2, store.addEvent("fail", "alice", t + MIN, MIN, 10));
    assertEquals(0, store.countEvents("fail", "alice", t + 3 * MIN, MIN));
  }

  @Test
  void window_olderEventCountsAtNewestTime_andCapSaturates() {
    long t = t0();
    store.addEvent("fail", "bob", t + 5 * MIN, MIN, 3);
    // An event from before the window counts as if it arrived at the newest time.
    assertEquals(2, store.addEvent("fail", "bob", t, MIN, 3));
    assertEquals(2, store.countEvents("fail", "bob", t, MIN));
    assertEquals(3, store.addEvent("fail", "bob", t + 5 * MIN, MIN, 3));
    assertEquals(3, store.addEvent("fail", "bob", t + 5 * MIN, MIN, 3));
    assertEquals(3, store.addEvent("fail", "bob", t + 5 * MIN + 1, MIN, 3));
    assertEquals(1, store.addEvent("fail", "bob", t + 7 * MIN, MIN, 3));
  }

  @Test
  void namesAndKeys_areIndependent_andAnyText() {
    long t = t0();
    String odd = "ü{x}:,|- 1:2 \t" + "a".repeat(300);
    store.addEvent("fail", odd, t, MIN, 10);
    store.addEvent("fail", odd, t, MIN, 10);
    store.addEvent("mfa", odd, t, MIN, 10);
    store.addMember("spray", odd, "m{1}", t, MIN, 10);
    store.put("profile", odd, "v:{1},|", MIN);
    assertEquals(2, store.countEvents("fail", odd, t, MIN));
    assertEquals(1, store.countEvents("mfa", odd, t, MIN));
    assertEquals(0, store.countEvents("fail", odd + "x", t, MIN));
    assertEquals(0, store.countEvents("signup", odd, t, MIN));
    assertTrue(store.hasMember("spray", odd, "m{1}"));
    assertFalse(store.hasMember("spray", "other", "m{1}"));
    assertFalse(store.hasMember("device", odd, "m{1}"));
    assertEquals("v:{1},|", store.get("profile", odd));
    assertNull(store.get("session", odd));
  }

  @Test
  void members_countDistinctInWindow_andReSeenMemberCountsOnce() {
    long t = t0();
    assertEquals(0, store.countMembers("spray", "10.0.0.1", t, MIN));
    assertEquals(1, store.addMember("spray", "10.0.0.1", "a", t, MIN, 100));
    assertEquals(2, store.addMember("spray", "10.0.0.1", "b", t + 10, MIN, 100));
    assertEquals(2, store.addMember("spray", "10.0.0.1", "a", t + 20, MIN, 100));
    assertEquals(3, store.addMember("spray", "10.0.0.1", "c", t + MIN - 1, MIN, 100));
    // b (t + 10) leaves at t + 10 + W; a was seen again at t + 20.
    assertEquals(2, store.countMembers("spray", "10.0.0.1", t + MIN + 10, MIN));
    assertEquals(1, store.countMembers("spray", "10.0.0.1", t + MIN + 20, MIN));
    assertTrue(store.hasMember("spray", "10.0.0.1", "c"));
    assertFalse(store.hasMember("spray", "10.0.0.1", "zzz"));
  }

  @Test
  void members_beyondCap_forgetTheOldestFirst() {
    long t = t0();
    for (int i = 0; i < 5; i++) {
      int n = store.addMember("device", "carol", "d" + i, t + i, Duration.ofDays(90).toMillis(), 3);
      assertEquals(Math.min(i + 1, 3), n);
    }
    assertFalse(store.hasMember("device", "carol", "d0"));
    assertFalse(store.hasMember("device", "carol", "d1"));
    assertTrue(store.hasMember("device", "carol", "d2"));
    assertTrue(store.hasMember("device", "carol", "d4"));
    // Seeing d2 again makes it the newest: d3 goes next.
    store.addMember("device", "carol", "d2", t + 10, Duration.ofDays(90).toMillis(), 3);
    store.addMember("device", "carol", "d5", t + 11, Duration.ofDays(90).toMillis(), 3);
    assertTrue(store.hasMember("device", "carol", "d2"));
    assertFalse(store.hasMember("device", "carol", "d3"));
  }

  @Test
  void records_lastPutWins_firstPutIfAbsentWins() {
    assertNull(store.get("profile", "dave"));
    store.put("profile", "dave", "one", MIN);
    store.put("profile", "dave", "two", MIN);
    assertEquals("two", store.get("profile", "dave"));
    assertEquals("first", store.putIfAbsent("session", "s1", "first", MIN));
    assertEquals("first", store.putIfAbsent("session", "s1", "second", MIN));
    assertEquals("first", store.get("session", "s1"));
    assertEquals("", store.putIfAbsent("session", "s2", "", MIN));
  }

  @Test
  void parallelEvents_loseNothing_andEachSeesItsOwnCount() throws Exception {
    long t = t0();
    int total = threads() * stepsPerThread();
    List<Integer> seen = parallel(() -> store.addEvent("fail", "hot", t, MIN, total + 1));
    assertEquals(total, store.countEvents("fail", "hot", t, MIN));
    // Atomic steps: the counts returned are exactly 1..total, each once.
    assertEquals(total, new HashSet<>(seen).size());
    assertEquals(1, seen.stream().mapToInt(Integer::intValue).min().orElseThrow());
    assertEquals(total, seen.stream().mapToInt(Integer::intValue).max().orElseThrow());
  }

  @Test
  void parallelMembers_loseNothing() throws Exception {
    long t = t0();
    int total = threads() * stepsPerThread();
    int[] next = {0};
    List<Integer> seen = parallel(() -> {
      int i;
      synchronized (next) {
        i = next[0]++;
      }
      return store.addMember("spray", "hot", "acct-" + i, t, MIN, total * 2);
    });
    assertEquals(total, store.countMembers("spray", "hot", t, MIN));
    assertEquals(total, seen.stream().mapToInt(Integer::intValue).max().orElseThrow());
    assertTrue(store.hasMember("spray", "hot", "acct-0"));
    assertTrue(store.hasMember("spray", "hot", "acct-" + (total - 1)));
  }

  @Test
  void parallelPutIfAbsent_oneValueWinsForAll() throws Exception {
    int[] next = {0};
    List<String> winners = new ArrayList<>();
    parallel(() -> {
      int i;
      synchronized (next) {
        i = next[0]++;
      }
      String w = store.putIfAbsent("session", "race", "v" + (i % threads()), MIN);
      synchronized (winners) {
        winners.add(w);
      }
      return 0;
    });
    assertEquals(1, new HashSet<>(winners).size());
    assertEquals(winners.get(0), store.get("session", "race"));
  }

  @Test
  void twoNodes_seeABruteForceNeitherSeesAlone() throws Exception {
    // HIGH at 12 failures of one account in 15 min; each node gets 6 of the 12 (MEDIUM alone).
    Thresholds th = Thresholds.DEFAULTS.withAccountFailures(5, 12);
    DetectState other = secondNode();
    Detector nodeA = Detector.builder().thresholds(th).state(store).build();
    Detector nodeB = Detector.builder().thresholds(th).state(other).build();
    Detector aloneA = Detector.builder().thresholds(th).state(new InMemoryDetectState(1000)).build();
    Detector aloneB = Detector.builder().thresholds(th).state(new InMemoryDetectState(1000)).build();
    Instant t = clock.instant();
    Assessment last = null;
    RiskLevel aloneMax = RiskLevel.NONE;
    for (int i = 0; i < 12; i++) {
      ActivityEvent e = ActivityEvent.login(t.plusSeconds(i), false, "victim", "198.51.100." + i, "curl/8",
          null, null);
      last = (i % 2 == 0 ? nodeA : nodeB).assess(e);
      RiskLevel alone = (i % 2 == 0 ? aloneA : aloneB).assess(e).level();
      aloneMax = alone.compareTo(aloneMax) > 0 ? alone : aloneMax;
    }
    assertEquals(RiskLevel.HIGH, last.level(), last.findings().toString());
    assertTrue(last.flags(Detection.BRUTE_FORCE));
    assertEquals("failures=12 window=PT15M", last.findings().get(0).detail());
    assertEquals(RiskLevel.MEDIUM, aloneMax, "each node alone sees 6 failures: MEDIUM, never HIGH");
    assertEquals(0, nodeA.stateFailures() + nodeB.stateFailures());
  }

  @Test
  void twoNodes_seeAPasswordSprayNeitherSeesAlone() throws Exception {
    DetectState other = secondNode();
    Detector nodeA = Detector.builder().state(store).build();
    Detector nodeB = Detector.builder().state(other).build();
    Detector aloneA = Detector.builder().state(new InMemoryDetectState(1000)).build();
    Detector aloneB = Detector.builder().state(new InMemoryDetectState(1000)).build();
    Instant t = clock.instant();
    Assessment last = null;
    boolean aloneSaw = false;
    for (int i = 0; i < 8; i++) {
      ActivityEvent e = ActivityEvent.login(t.plusSeconds(30L * i), false, "user" + i, "203.0.113.9", "curl/8",
          null, null);
      last = (i % 2 == 0 ? nodeA : nodeB).assess(e);
      aloneSaw |= (i % 2 == 0 ? aloneA : aloneB).assess(e).flags(Detection.PASSWORD_SPRAYING);
    }
    assertTrue(last.flags(Detection.PASSWORD_SPRAYING), last.findings().toString());
    assertEquals("accounts=8 window=PT1H", last.findings().get(0).detail());
    assertFalse(aloneSaw, "each node alone sees 4 accounts");
  }

  @Test
  void counters_sumTheSpanOfBucketsEndingWithTheEvents_exactAtBucketEdges() {
    long t = t0() - Math.floorMod(t0(), 1000); // the start of a second
    long keep = Duration.ofHours(3).toMillis();
    assertEquals(0, store.sumCounts("gfail", "all", t, t + 59_999, 1000));
    assertEquals(1, store.addCount("gfail", "all", t, 1, 1000, 60, keep));
    assertEquals(3, store.addCount("gfail", "all", t + 999, 2, 1000, 60, keep));
    // The next second starts a new bucket; the span of 60 still holds the first.
    assertEquals(4, store.addCount("gfail", "all", t + 1000, 1, 1000, 60, keep));
    // 59 s later the first bucket is the oldest of the span; one millisecond into the 60th second it has left.
    assertEquals(5, store.addCount("gfail", "all", t + 59_999, 1, 1000, 60, keep));
    assertEquals(3, store.addCount("gfail", "all", t + 60_000, 1, 1000, 60, keep));
    assertEquals(3, store.sumCounts("gfail", "all", t, t + 999, 1000));
    assertEquals(1, store.sumCounts("gfail", "all", t + 1000, t + 1999, 1000));
    assertEquals(6, store.sumCounts("gfail", "all", t, t + 60_000, 1000));
    assertEquals(0, store.sumCounts("gfail", "all", t + 60_001, t, 1000));
    assertEquals(0, store.sumCounts("gfail", "other", t, t + 60_000, 1000));
    assertEquals(0, store.sumCounts("gbase", "all", t, t + 60_000, 1000));
    // A late event lands in its own bucket and counts its own span.
    assertEquals(4, store.addCount("gfail", "all", t + 500, 1, 1000, 60, keep));
    assertEquals(7, store.sumCounts("gfail", "all", t, t + 60_000, 1000));
    // An hour later nothing of the span remains, but the buckets are kept for sums.
    assertEquals(1, store.addCount("gfail", "all", t + 3_600_000, 1, 1000, 60, keep));
    assertEquals(8, store.sumCounts("gfail", "all", t, t + 3_600_000, 1000));
  }

  @Test
  void parallelCounts_loseNothing_andEachSeesItsOwnCount() throws Exception {
    long t = t0();
    int total = threads() * stepsPerThread();
    List<Long> seen = parallel(() -> store.addCount("gfail", "hot", t, 1, 1000, 60, 3_600_000));
    assertEquals(total, store.sumCounts("gfail", "hot", t, t, 1000));
    assertEquals(total, new HashSet<>(seen).size());
    assertEquals(total, seen.stream().mapToLong(Long::longValue).max().orElseThrow());
  }

  @Test
  void twoNodes_seeADistributedStuffingWaveNeitherSeesAlone() throws Exception {
    // A spike needs 30 failures in the last minute (and 6 sigma above the baseline after 5 minutes).
    Thresholds th = Thresholds.DEFAULTS.withGlobal(6, 30, 5);
    DetectState other = secondNode();
    Detector nodeA = Detector.builder().thresholds(th).state(store).build();
    Detector nodeB = Detector.builder().thresholds(th).state(other).build();
    Detector aloneA = Detector.builder().thresholds(th).state(new InMemoryDetectState(1000)).build();
    Detector aloneB = Detector.builder().thresholds(th).state(new InMemoryDetectState(1000)).build();
    Instant t = clock.instant();
    t = t.minusMillis(t.toEpochMilli() % MIN); // the start of a minute
    // Ten quiet minutes: 4 failures a minute, two on each node, of users on their own networks.
    List<ActivityEvent> quiet = new ArrayList<>();
    for (int u = 0; u < 20; u++) {
      quiet.add(ActivityEvent.login(t.plusMillis(u), true, "u" + u, "10.0." + u + ".1", "curl/8", "d" + u, null));
    }
    for (int m = 1; m <= 10; m++) {
      for (int k = 0; k < 4; k++) {
        int u = (m * 4 + k) % 20;
        quiet.add(ActivityEvent.login(t.plusSeconds(60L * m + 5L * k), false, "u" + u, "10.0." + u + ".1", "curl/8",
            "d" + u, null));
      }
    }
    for (int i = 0; i < quiet.size(); i++) {
      ActivityEvent e = quiet.get(i);
      assertEquals(RiskLevel.NONE, (i % 2 == 0 ? nodeA : nodeB).assess(e).level(), e.toString());
      (i % 2 == 0 ? aloneA : aloneB).assess(e);
    }
    // The wave: 44 failures in 40 s from 44 addresses, alternating between the nodes: each sees 22.
    // (All in minute 11, and more than a minute after the last quiet failure, at 10:15.)
    Instant wave = t.plusSeconds(11 * 60 + 16);
    int flagged = 0;
    boolean aloneSaw = false;
    Assessment last = null;
    for (int i = 0; i < 44; i++) {
      ActivityEvent e = ActivityEvent.login(wave.plusMillis(900L * i), false, "u" + (i % 20),
          "203.0." + (113 + i / 20) + "." + i, "python-requests/2.31", null, null);
      last = (i % 2 == 0 ? nodeA : nodeB).assess(e);
      flagged += last.flags(Detection.CREDENTIAL_STUFFING) ? 1 : 0;
      aloneSaw |= (i % 2 == 0 ? aloneA : aloneB).assess(e).flags(Detection.CREDENTIAL_STUFFING);
    }
    assertEquals(44 - 29, flagged, "every failure from the 30th of the minute on, on either node");
    assertTrue(last.findings().stream().anyMatch(f -> f.code().equals("global_failure_spike")
        && f.detail().equals("failures_last_minute=44 client_new_for_account")), last.findings().toString());
    assertFalse(aloneSaw, "each node alone sees 22 failures in the minute, under the floor of 30");
    // Both nodes judged each minute against one baseline record, the first node's.
    long minute = Math.floorDiv(wave.toEpochMilli(), MIN);
    assertTrue(store.get("gbase", Long.toString(minute)) != null);
    assertEquals(store.get("gbase", Long.toString(minute)), other.get("gbase", Long.toString(minute)));
    assertEquals(0, nodeA.stateFailures() + nodeB.stateFailures());
  }

  private <T> List<T> parallel(java.util.concurrent.Callable<T> step) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads());
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<T>>> futures = new ArrayList<>();
    for (int i = 0; i < threads(); i++) {
      futures.add(pool.submit(() -> {
        start.await();
        List<T> out = new ArrayList<>();
        for (int j = 0; j < stepsPerThread(); j++) {
          out.add(step.call());
        }
        return out;
      }));
    }
    start.countDown();
    List<T> all = new ArrayList<>();
    try {
      for (Future<List<T>> f : futures) {
        all.addAll(f.get(120, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    return all;
  }

}
