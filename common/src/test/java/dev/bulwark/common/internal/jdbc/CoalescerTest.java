package dev.bulwark.common.internal.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bulwark.testing.PropertyRunner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CoalescerTest {

  /** A request: a name and the keys it touches. */
  record Req(String name, List<String> keys) {
    static Req of(String name, String... keys) {
      return new Req(name, List.of(keys));
    }
  }

  /** Records every group it runs; the first run waits for {@link #open} when gated. */
  static final class Recorder implements Coalescer.Runner<Req, String> {
    final List<List<String>> groups = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch open = new CountDownLatch(1);
    final CountDownLatch firstEntered = new CountDownLatch(1);
    final boolean gated;

    Recorder(boolean gated) {
      this.gated = gated;
    }

    @Override
    public List<String> run(List<Req> group) {
      List<String> names = new ArrayList<>();
      for (Req r : group) {
        names.add(r.name());
      }
      groups.add(names);
      if (gated && firstEntered.getCount() > 0) {
        firstEntered.countDown();
        try {
          assertTrue(open.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
      return done(group);
    }
  }

  /** Each request's result: {@code "done:" + name}. */
  private static List<String> done(List<Req> group) {
    List<String> out = new ArrayList<>();
    for (Req r : group) {
      out.add("done:" + r.name());
    }
    return out;
  }

  private static Coalescer<Req, String> coalescer(int inFlight, int maxKeys, Coalescer.Runner<Req, String> runner) {
    return new Coalescer<>(inFlight, maxKeys, Req::keys, runner);
  }

  /** Starts {@code r} on its own thread and waits until the thread is parked in the coalescer. */
  private static Future<String> submitAndPark(ExecutorService pool, Coalescer<Req, String> c, Req r) throws Exception {
    AtomicReference<Thread> thread = new AtomicReference<>();
    Future<String> f = pool.submit(() -> {
      thread.set(Thread.currentThread());
      return c.submit(r);
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (thread.get() == null || !parkedInCoalescer(thread.get())) {
      if (System.nanoTime() > deadline) {
        fail("request " + r.name() + " never waited");
      }
      Thread.onSpinWait();
    }
    return f;
  }

  private static boolean parkedInCoalescer(Thread t) {
    if (t.getState() != Thread.State.TIMED_WAITING) {
      return false;
    }
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().equals(Coalescer.class.getName()) && e.getMethodName().equals("submit")) {
        return true;
      }
    }
    return false;
  }

  /**
   * A coalescer with one slot whose first request ("first", on {@code key}) is running and held
   * until {@code recorder.open} counts down, so that later requests wait.
   */
  private record Held(Recorder recorder, Coalescer<Req, String> c, ExecutorService pool, Future<String> first)
      implements AutoCloseable {
    static Held start(int maxKeys, String key) throws InterruptedException {
      Recorder recorder = new Recorder(true);
      Coalescer<Req, String> c = coalescer(1, maxKeys, recorder);
      ExecutorService pool = Executors.newCachedThreadPool();
      Future<String> first = pool.submit(() -> c.submit(Req.of("first", key)));
      assertTrue(recorder.firstEntered.await(30, TimeUnit.SECONDS), "the first request holds the only slot");
      return new Held(recorder, c, pool, first);
    }

    /** Submits {@code r} from a pool thread and returns once it waits in the coalescer. */
    Future<String> park(Req r) throws Exception {
      return submitAndPark(pool, c, r);
    }

    /** Lets the first request finish and returns its result. */
    String release() throws Exception {
      recorder.open.countDown();
      return first.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      pool.shutdownNow();
    }
  }

  @Test
  void aLoneRequest_runsAtOnce_onItsCallersThread() {
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    Coalescer<Req, String> c = coalescer(2, 48, group -> {
      ranOn.set(Thread.currentThread());
      return List.of("ok");
    });
    assertEquals("ok", c.submit(Req.of("a", "k")));
    assertSame(Thread.currentThread(), ranOn.get());
  }

  @Test
  void requestsThatWaitedForAFreeSlot_shareTheNextGroup() throws Exception {
    try (Held held = Held.start(48, "a:0")) {
      List<Future<String>> waiting = new ArrayList<>();
      for (int i = 1; i <= 10; i++) {
        waiting.add(held.park(Req.of("r" + i, "a:" + i, "f:" + i, "s:" + i)));
      }
      assertEquals("done:first", held.release());
      for (int i = 1; i <= 10; i++) {
        assertEquals("done:r" + i, waiting.get(i - 1).get(30, TimeUnit.SECONDS));
      }
      assertEquals(List.of(List.of("first"), List.of("r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10")),
          held.recorder().groups, "ten attempts waited for one statement, then shared the next");
    }
  }

  @Test
  void requestsOnOneKey_goToSuccessiveGroups_inArrivalOrder_andGroupsHoldAtMostMaxKeys() throws Exception {
    try (Held held = Held.start(4, "z")) {
      List<Req> reqs = List.of(Req.of("A", "x"), Req.of("B", "x", "y"), Req.of("C", "q"), Req.of("D", "y"),
          Req.of("E", "x"), Req.of("F", "p", "o"), Req.of("big", "1", "2", "3", "4", "5"));
      List<Future<String>> waiting = new ArrayList<>();
      for (Req r : reqs) {
        waiting.add(held.park(r));
      }
      held.release();
      for (Future<String> f : waiting) {
        f.get(30, TimeUnit.SECONDS);
      }
      // Drained in one take (maxKeys counts whole requests: the take stops once 4 keys are in
      // hand, so later requests come in later takes). Whatever the takes, each group shares no
      // key, holds at most 4 keys unless it is one larger request, and per key the order is
      // the arrival order.
      List<List<String>> groups = held.recorder().groups.subList(1, held.recorder().groups.size());
      Map<String, Req> byName = new ConcurrentHashMap<>();
      for (Req r : reqs) {
        byName.put(r.name(), r);
      }
      Map<String, List<String>> orderPerKey = new ConcurrentHashMap<>();
      for (List<String> g : groups) {
        Set<String> keys = new HashSet<>();
        int size = 0;
        for (String name : g) {
          for (String k : byName.get(name).keys()) {
            assertTrue(keys.add(k), "key " + k + " twice in group " + g);
            orderPerKey.computeIfAbsent(k, x -> new ArrayList<>()).add(name);
          }
          size += byName.get(name).keys().size();
        }
        assertTrue(size <= 4 || g.size() == 1, "group " + g + " holds " + size + " keys");
      }
      assertEquals(List.of("A", "B", "E"), orderPerKey.get("x"));
      assertEquals(List.of("B", "D"), orderPerKey.get("y"));
      assertEquals(reqs.size(), groups.stream().mapToInt(List::size).sum(), "every request ran once");
    }
  }

  @Test
  void aGroupThatFails_failsEachOfItsRequests_withTheRunnersException_andNoOther() throws Exception {
    IllegalStateException boom = new IllegalStateException("database down");
    CountDownLatch open = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    Coalescer<Req, String> c = coalescer(1, 3, group -> {
      if (group.get(0).name().equals("first")) {
        entered.countDown();
        try {
          open.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
      for (Req r : group) {
        if (r.name().startsWith("bad")) {
          throw boom;
        }
      }
      return done(group);
    });
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      Future<String> first = pool.submit(() -> c.submit(Req.of("first", "k0")));
      assertTrue(entered.await(30, TimeUnit.SECONDS));
      // maxKeys 3: [bad1, bad2, bad3] in one take and one group, then [ok1, ok2, ok3] in the next.
      List<Future<String>> bad = new ArrayList<>();
      List<Future<String>> ok = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        bad.add(submitAndPark(pool, c, Req.of("bad" + i, "b" + i)));
      }
      for (int i = 1; i <= 3; i++) {
        ok.add(submitAndPark(pool, c, Req.of("ok" + i, "o" + i)));
      }
      open.countDown();
      assertEquals("done:first", first.get(30, TimeUnit.SECONDS));
      for (Future<String> f : bad) {
        java.util.concurrent.ExecutionException e =
            assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        assertSame(boom, e.getCause());
      }
      for (int i = 0; i < 3; i++) {
        assertEquals("done:ok" + (i + 1), ok.get(i).get(30, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aRunnerReturningTheWrongNumberOfResults_failsTheGroup() {
    Coalescer<Req, String> c = coalescer(1, 8, group -> List.of());
    assertThrows(IllegalStateException.class, () -> c.submit(Req.of("a", "k")));
  }

  @Test
  void anInterruptWhileWaiting_doesNotLoseTheResult_andIsKept() throws Exception {
    try (Held held = Held.start(48, "a")) {
      AtomicReference<Thread> waiter = new AtomicReference<>();
      CountDownLatch parked = new CountDownLatch(1);
      Future<String> interrupted = held.pool().submit(() -> {
        waiter.set(Thread.currentThread());
        parked.countDown();
        String r = held.c().submit(Req.of("waiter", "b"));
        return r + (Thread.currentThread().isInterrupted() ? ":interrupted" : ":not-interrupted");
      });
      assertTrue(parked.await(30, TimeUnit.SECONDS));
      while (!parkedInCoalescer(waiter.get())) {
        Thread.onSpinWait();
      }
      waiter.get().interrupt();
      held.release();
      assertEquals("done:waiter:interrupted", interrupted.get(30, TimeUnit.SECONDS));
    }
  }

  /**
   * Many threads on few keys, with every slot count: each request runs exactly once, gets its own
   * result, and no group holds a key twice or more than the allowed keys.
   */
  @Test
  void underContention_everyRequestRunsExactlyOnce_inGroupsWithDistinctKeys() {
    PropertyRunner.forAll(12, cs -> {
      int inFlight = cs.nextInt(1, 5);
      int maxKeys = cs.nextInt(1, 13);
      int keySpace = cs.nextInt(1, 20);
      int threads = cs.nextInt(2, 17);
      int perThread = 200;
      long seed = cs.nextLong();
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      AtomicReference<String> violation = new AtomicReference<>();
      Coalescer<Req, String> c = coalescer(inFlight, maxKeys, group -> {
        Set<String> keys = new HashSet<>();
        int size = 0;
        for (Req r : group) {
          for (String k : r.keys()) {
            if (!keys.add(k)) {
              violation.set("key " + k + " twice in one group");
            }
          }
          size += r.keys().size();
          runs.computeIfAbsent(r.name(), x -> new AtomicInteger()).incrementAndGet();
        }
        if (size > maxKeys && group.size() > 1) {
          violation.set("a group of " + size + " keys");
        }
        return done(group);
      });
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<Integer>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed + thread);
            int ok = 0;
            for (int i = 0; i < perThread; i++) {
              String name = thread + "/" + i;
              Set<String> keys = new java.util.LinkedHashSet<>();
              int n = 1 + r.nextInt(3);
              while (keys.size() < Math.min(n, keySpace)) {
                keys.add("k" + r.nextInt(keySpace));
              }
              if (c.submit(new Req(name, List.copyOf(keys))).equals("done:" + name)) {
                ok++;
              }
            }
            return ok;
          }));
        }
        int ok = 0;
        for (Future<Integer> f : futures) {
          ok += f.get(120, TimeUnit.SECONDS);
        }
        assertEquals(threads * perThread, ok, "every caller got its own result");
        assertEquals(threads * perThread, runs.size());
        runs.forEach((name, count) -> assertEquals(1, count.get(), name + " ran " + count.get() + " times"));
        assertEquals(null, violation.get());
      } finally {
        pool.shutdownNow();
      }
    });
  }

  @Test
  void settingsBelowOne_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> coalescer(0, 1, g -> g.stream().map(Req::name).toList()));
    assertThrows(IllegalArgumentException.class, () -> coalescer(1, 0, g -> g.stream().map(Req::name).toList()));
  }
}
