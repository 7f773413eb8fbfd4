package dev.bulwark.testkit.authn.lockout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.Factor;
import dev.bulwark.authn.lockout.Attempts;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.LockoutPolicy;
import dev.bulwark.authn.lockout.LockoutRule;
import dev.bulwark.authn.lockout.jdbc.JdbcAttemptStore;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import dev.bulwark.testkit.TwoNodes;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link JdbcAttemptStore} on a real PostgreSQL: the contract, then two independent stores with
 * their own connection pools (two application nodes) hammered by many threads.
 */
class JdbcAttemptStoreIT extends AttemptStoreContract {

  @RegisterExtension
  static final TwoNodes NODES = new TwoNodes("authn_lockout", 16);

  @Override
  protected int concurrencyThreads() {
    return 16;
  }

  @Override
  protected AttemptStore createStore(FakeClock clock) throws Exception {
    JdbcAttemptStore s = new JdbcAttemptStore(NODES.a(), clock);
    NODES.truncate("bulwark_authn_attempts");
    return s;
  }

  /** One step of one thread on one node: the {@code "key#count"} pairs the store handed out. */
  @FunctionalInterface
  private interface Step {
    List<String> run(AttemptStore node, int thread, int step) throws Exception;
  }

  /**
   * Runs {@code steps} steps on each of {@code 2 * threadsPerNode} threads, started at once and
   * alternating between the nodes, and returns every {@code "key#count"} pair handed out, failing
   * if a count was handed out twice for one key.
   */
  private static Set<String> countsHandedOut(AttemptStore a, AttemptStore b, int threadsPerNode, int steps, Step step)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threadsPerNode * 2);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<String>>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < threadsPerNode * 2; i++) {
        AttemptStore node = i % 2 == 0 ? a : b;
        int thread = i;
        futures.add(pool.submit(() -> {
          start.await();
          List<String> seen = new ArrayList<>();
          for (int j = 0; j < steps; j++) {
            seen.addAll(step.run(node, thread, j));
          }
          return seen;
        }));
      }
      start.countDown();
      Set<String> all = new HashSet<>();
      for (Future<List<String>> f : futures) {
        for (String s : f.get(300, TimeUnit.SECONDS)) {
          assertTrue(all.add(s), "two failures were given the same count: " + s);
        }
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoNodes_manyThreads_countEveryFailureExactlyOnce() throws Exception {
    AttemptStore a = new JdbcAttemptStore(NODES.a(), clock);
    AttemptStore b = new JdbcAttemptStore(NODES.b(), clock);
    int threadsPerNode = 16;
    int perThread = 150;
    int keys = 5;
    Instant t = clock.instant();
    Set<String> all = countsHandedOut(a, b, threadsPerNode, perThread, (node, thread, j) -> {
      String key = "k" + ((j + thread) % keys);
      return List.of(key + "#" + node.recordFailure(key, t, t.plusSeconds(3600), Long.MAX_VALUE).failures());
    });
    long total = 0;
    for (int k = 0; k < keys; k++) {
      long onA = a.get("k" + k, t).failures();
      assertEquals(onA, b.get("k" + k, t).failures(), "both nodes read the same count");
      total += onA;
    }
    assertEquals((long) threadsPerNode * 2 * perThread, total);
    assertEquals(total, all.size());
  }

  /**
   * Whole login steps (account, factor and source in one statement) from two nodes, with
   * accounts and sources shared between concurrent statements in every order: each key's count is
   * exact, each count is handed out once, and no statement deadlocks.
   */
  @Test
  void twoNodes_wholeLoginSteps_countEveryKeyExactlyOnce() throws Exception {
    AttemptStore a = new JdbcAttemptStore(NODES.a(), clock);
    AttemptStore b = new JdbcAttemptStore(NODES.b(), clock);
    int threadsPerNode = 16;
    int perThread = 60;
    Instant t = clock.instant();
    Set<String> all = countsHandedOut(a, b, threadsPerNode, perThread, (node, thread, j) -> {
      String account = "user-" + ((j + thread) % 3);
      List<AttemptStore.Failure> step = List.of(
          new AttemptStore.Failure("s:192.0.2." + ((j * 7 + thread) % 2), t, t.plusSeconds(3600), Long.MAX_VALUE),
          new AttemptStore.Failure("a:" + account, t, t.plusSeconds(86_400), Long.MAX_VALUE),
          new AttemptStore.Failure("f:password:" + account, t, t.plusSeconds(86_400), Long.MAX_VALUE));
      List<Attempts> after = node.recordFailures(step);
      List<String> seen = new ArrayList<>();
      for (int k = 0; k < step.size(); k++) {
        seen.add(step.get(k).key() + "#" + after.get(k).failures());
      }
      return seen;
    });
    long steps = (long) threadsPerNode * 2 * perThread;
    long sources = 0;
    long accounts = 0;
    for (int i = 0; i < 2; i++) {
      sources += a.get("s:192.0.2." + i, t).failures();
    }
    for (int i = 0; i < 3; i++) {
      long onA = a.get("a:user-" + i, t).failures();
      assertEquals(onA, b.get("f:password:user-" + i, t).failures(), "account and factor counted together");
      accounts += onA;
    }
    assertEquals(steps, sources);
    assertEquals(steps, accounts);
    assertEquals(steps * 3, all.size());
  }

  @Test
  void recordFailures_withAKeyTwice_isRefused_andCountsNothing() {
    JdbcAttemptStore s = new JdbcAttemptStore(NODES.a(), clock);
    Instant t = clock.instant();
    AttemptStore.Failure f = new AttemptStore.Failure("dup", t, t.plusSeconds(60), Long.MAX_VALUE);
    assertThrows(IllegalArgumentException.class, () -> s.recordFailures(List.of(f, f)));
    assertEquals(Attempts.NONE, s.get("dup", t));
  }

  @Test
  void twoNodes_disableAnAccountFactorAtExactlyTheNistLimit() throws Exception {
    LockoutPolicy policy = LockoutPolicy.defaults()
        .withFactorRule(Factor.PASSWORD, new LockoutRule(99, Duration.ofSeconds(1), Duration.ofSeconds(1), 100, Duration.ofDays(1)))
        .withAccountRule(new LockoutRule(100, Duration.ofSeconds(1), Duration.ofSeconds(1), 0, Duration.ofDays(1)));
    Lockout onA = Lockout.builder(new JdbcAttemptStore(NODES.a(), clock)).policy(policy).clock(clock).build();
    Lockout onB = Lockout.builder(new JdbcAttemptStore(NODES.b(), clock)).policy(policy).clock(clock).build();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        Lockout node = i % 2 == 0 ? onA : onB;
        // Sources shared across the concurrent transactions: rows are locked in key order, so no deadlock.
        Optional<String> source = Optional.of("203.0.113." + (i % 3));
        futures.add(pool.submit(() -> node.recordFailure("mallory-target", Factor.PASSWORD, source)));
      }
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(onA.isDisabled("mallory-target", Factor.PASSWORD));
    assertTrue(onB.isDisabled("mallory-target", Factor.PASSWORD));
    Attempts acc = onB.accountAttempts("mallory-target");
    assertEquals(120, acc.failures());
    JdbcAttemptStore raw = new JdbcAttemptStore(NODES.b(), clock);
    long sources = 0;
    for (int i = 0; i < 3; i++) {
      sources += raw.get("s:203.0.113." + i, clock.instant()).failures();
    }
    assertEquals(120, sources, "every failure counted once per source as well");
    onA.unlock("mallory-target", "it-admin");
    assertTrue(onB.check("mallory-target", Factor.PASSWORD, Optional.empty()).open());
  }

  /**
   * The check's one-query read of several keys must stay an index lookup when PostgreSQL plans it
   * once, generically, while the table is small, and keeps that plan as the table grows (a driver
   * that prepares statements on the server does exactly that until the table is next analyzed).
   * With {@code IN (...)} the cached plan was a sequential scan of the whole table per check.
   */
  @Test
  void severalKeyRead_staysAnIndexLookup_whenThePlanWasMadeOnASmallTable() throws Exception {
    List<String> statements = new ArrayList<>();
    try (PostgresSchema fresh = PostgresSchema.create("authn_lockout_plan")) {
      DataSource raw = fresh.dataSource();
      DataSource recording = recordingStatements(raw, statements);
      JdbcAttemptStore s = new JdbcAttemptStore(recording, clock);
      Instant t = clock.instant();
      for (int i = 0; i < 40; i++) {
        s.recordFailure("a:seed-" + i, t, t.plusSeconds(3600), Long.MAX_VALUE);
      }
      s.getAll(List.of("a:x", "f:password:x", "s:192.0.2.1"), t);
      String read = statements.stream().filter(q -> q.contains("UNION ALL") || q.contains(" IN (")).reduce((a, b) -> b)
          .orElseThrow(() -> new AssertionError("no several-key read was prepared: " + statements));
      String serverForm = read;
      for (int i = 1; serverForm.contains("?"); i++) {
        serverForm = serverForm.replaceFirst("\\?", "\\$" + i);
      }
      try (Connection c = raw.getConnection(); Statement st = c.createStatement()) {
        st.execute("SET plan_cache_mode = force_generic_plan");
        st.execute("PREPARE several_keys (varchar, varchar, varchar) AS " + serverForm);
        st.execute("EXECUTE several_keys ('a:x', 'f:password:x', 's:192.0.2.1')");
        st.execute("INSERT INTO bulwark_authn_attempts SELECT 'a:grown-' || g, 1, timestamptz 'epoch', timestamptz 'epoch', false FROM generate_series(1, 20000) g");
        StringBuilder plan = new StringBuilder();
        try (java.sql.ResultSet rs = st.executeQuery("EXPLAIN EXECUTE several_keys ('a:x', 'f:password:x', 's:192.0.2.1')")) {
          while (rs.next()) {
            plan.append(rs.getString(1)).append('\n');
          }
        }
        assertTrue(plan.toString().contains("Index") && !plan.toString().contains("Seq Scan"), plan.toString());
      }
    }
  }

  /**
   * Attempts that arrive while the store's statement is in flight wait and share the next one,
   * and each of them is still decided on its own keys: in one statement, attempts on open keys are
   * admitted and counted once, an attempt on a disabled account is refused and leaves its other
   * keys uncharged, and two attempts on one source key go to successive statements (counts 1
   * then 2).
   */
  @Test
  void attemptsThatWaited_shareOneStatement_andEachIsDecidedOnItsOwnKeys() throws Exception {
    List<String> statements = new ArrayList<>();
    CountDownLatch gateEntered = new CountDownLatch(1);
    CountDownLatch gateOpen = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
    DataSource recording = recordingStatements(NODES.a(), statements);
    DataSource gated = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          if (method.getName().equals("getConnection") && armed.compareAndSet(true, false)) {
            gateEntered.countDown();
            assertTrue(gateOpen.await(60, TimeUnit.SECONDS));
          }
          return invoke(method, recording, args);
        });
    JdbcAttemptStore s = JdbcAttemptStore.builder(gated, clock).statementsInFlight(1).build();
    Instant t = clock.instant();
    LockoutRule rule = new LockoutRule(5, Duration.ofSeconds(1), Duration.ofSeconds(1), 0, Duration.ofHours(1));
    s.recordFailure("a:locked", t, t.plusSeconds(3600), 1);
    synchronized (statements) {
      statements.clear();
    }
    armed.set(true);
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      Future<AttemptStore.Admission> first = pool.submit(() -> s.reserve(List.of(res("a:first", t, rule))));
      assertTrue(gateEntered.await(60, TimeUnit.SECONDS), "the first attempt holds the only statement slot");
      List<List<String>> attempts = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        attempts.add(List.of("a:user-" + i, "f:password:user-" + i, "s:198.51.100." + i));
      }
      attempts.add(List.of("a:locked", "f:password:locked", "s:198.51.100.50"));
      attempts.add(List.of("a:user-8", "f:password:user-8", "s:shared"));
      attempts.add(List.of("a:user-9", "f:password:user-9", "s:shared"));
      List<Future<AttemptStore.Admission>> waiting = new ArrayList<>();
      for (List<String> keys : attempts) {
        AtomicReferenceThread holder = new AtomicReferenceThread();
        waiting.add(pool.submit(() -> {
          holder.set(Thread.currentThread());
          List<AttemptStore.Reservation> list = new ArrayList<>();
          for (String k : keys) {
            list.add(res(k, t, rule));
          }
          return s.reserve(list);
        }));
        holder.awaitParked();
      }
      gateOpen.countDown();
      assertTrue(first.get(60, TimeUnit.SECONDS).admitted());
      for (int i = 0; i < attempts.size(); i++) {
        AttemptStore.Admission a = waiting.get(i).get(60, TimeUnit.SECONDS);
        if (i == 8) {
          assertTrue(!a.admitted(), "the disabled account refuses the attempt");
          assertTrue(a.records().get(0).disabled());
          assertEquals(Attempts.NONE, a.records().get(1), "its other keys report no record");
          assertEquals(Attempts.NONE, a.records().get(2));
        } else {
          assertTrue(a.admitted(), "attempt " + i);
          assertEquals(1, a.records().get(0).failures());
          assertEquals(1, a.records().get(1).failures());
          assertEquals(i == 10 ? 2 : 1, a.records().get(2).failures(), "attempt " + i + "'s source count");
        }
      }
    } finally {
      pool.shutdownNow();
    }
    Instant now = clock.instant();
    assertEquals(Attempts.NONE, s.get("f:password:locked", now), "the refused attempt was refunded");
    assertEquals(Attempts.NONE, s.get("s:198.51.100.50", now));
    assertEquals(2, s.get("s:shared", now).failures());
    for (int i = 0; i < 10; i++) {
      assertEquals(1, s.get("a:user-" + i, now).failures());
    }
    long reserveStatements;
    synchronized (statements) {
      reserveStatements = statements.stream().filter(q -> q.startsWith("INSERT INTO bulwark_authn_attempts")).count();
    }
    assertEquals(3, reserveStatements,
        "one statement for the first attempt, then two for the eleven that waited (two share a source key)");
  }

  /**
   * The reserve statement carries its times as numbers: they arrive to the microsecond, before
   * and after the epoch, and the expiry holds to the microsecond.
   */
  @Test
  void reserve_storesItsTimesToTheMicrosecond() {
    JdbcAttemptStore s = new JdbcAttemptStore(NODES.a(), clock);
    LockoutRule rule = new LockoutRule(5, Duration.ofSeconds(1), Duration.ofSeconds(1), 0, Duration.ofHours(1));
    for (Instant at : List.of(Instant.parse("2026-12-07T19:30:01.123456789Z"), Instant.parse("1969-12-31T23:59:59.000001Z"),
        Instant.parse("2100-02-28T23:59:59.999999Z"), Instant.parse("+199999-12-31T23:39:59.999999Z"),
        Instant.parse("-3999-06-30T12:00:00.000001Z"))) {
      String key = "a:times-" + at;
      Instant expires = at.plus(Duration.ofMinutes(10)).plusNanos(1_500);
      AttemptStore.Admission a = s.reserve(List.of(new AttemptStore.Reservation(key, at, expires, rule)));
      Instant micros = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
      assertEquals(micros, a.records().get(0).lastFailureAt());
      assertEquals(micros, s.get(key, at).lastFailureAt());
      Instant lastLive = expires.truncatedTo(java.time.temporal.ChronoUnit.MICROS).minusNanos(1_000);
      assertEquals(1, s.get(key, lastLive).failures(), "live until its expiry, " + at);
      assertEquals(Attempts.NONE, s.get(key, lastLive.plusNanos(1_000)), "expired at its expiry, " + at);
    }
    Instant now = clock.instant();
    assertThrows(IllegalArgumentException.class, () -> s.reserve(List.of(new AttemptStore.Reservation("a:far", now,
        Instant.parse("+200000-01-01T00:00:00.000001Z"), rule))));
    assertThrows(IllegalArgumentException.class, () -> s.reserve(List.of(new AttemptStore.Reservation("a:early",
        Instant.parse("-4001-01-01T00:00:00Z"), now, rule))));
    assertThrows(IllegalArgumentException.class, () -> s.reserve(List.of(new AttemptStore.Reservation("a:" + "x".repeat(1023),
        now, now.plusSeconds(60), rule))));
    assertEquals(Attempts.NONE, s.get("a:far", now), "a refused reservation counts nothing");
  }

  private static AttemptStore.Reservation res(String key, Instant at, LockoutRule rule) {
    return new AttemptStore.Reservation(key, at, at.plus(rule.forgetAfter()), rule);
  }

  /** The thread running one attempt, and a wait until it is parked in the store's coalescer. */
  private static final class AtomicReferenceThread {
    private volatile Thread thread;

    void set(Thread t) {
      thread = t;
    }

    void awaitParked() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        Thread t = thread;
        if (t != null && t.getState() == Thread.State.TIMED_WAITING) {
          for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().endsWith(".Coalescer") && e.getMethodName().equals("submit")) {
              return;
            }
          }
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the attempt never waited for the statement in flight");
        }
        Thread.sleep(1);
      }
    }
  }

  /** A data source whose connections record the text of every statement they prepare. */
  private static DataSource recordingStatements(DataSource target, List<String> statements) {
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, method, args) -> {
          Object result = invoke(method, target, args);
          if (!(result instanceof Connection)) {
            return result;
          }
          Connection c = (Connection) result;
          return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
              (p, m, a) -> {
                if (m.getName().equals("prepareStatement") && a != null && a.length > 0 && a[0] instanceof String) {
                  synchronized (statements) {
                    statements.add((String) a[0]);
                  }
                }
                return invoke(m, c, a);
              });
        });
  }

  private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void purgeExpired_removesOnlyExpiredEnabledRows() {
    JdbcAttemptStore s = new JdbcAttemptStore(NODES.a(), clock);
    Instant t = clock.instant();
    s.recordFailure("short", t, t.plusSeconds(10), Long.MAX_VALUE);
    s.recordFailure("disabled", t, t.plusSeconds(10), 1);
    s.recordFailure("long", t, t.plusSeconds(1000), Long.MAX_VALUE);
    clock.advance(Duration.ofSeconds(10));
    assertEquals(1, s.purgeExpired());
    assertTrue(s.get("disabled", clock.instant()).disabled());
    assertEquals(1, s.get("long", clock.instant()).failures());
  }
}
