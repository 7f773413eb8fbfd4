package dev.bulwark.testkit.authn.lockout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.Factor;
import dev.bulwark.authn.lockout.Attempts;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.LockoutPolicy;
import dev.bulwark.authn.lockout.LockoutRule;
import dev.bulwark.authn.lockout.jdbc.JdbcAttemptStore;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.testkit.FakeClock;
import dev.bulwark.testkit.PostgresDatabase;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link JdbcAttemptStore} on a real PostgreSQL: the contract, then two independent stores with
 * their own connection pools (two application nodes) hammered by many threads.
 */
class JdbcAttemptStoreIT extends AttemptStoreContract {

  private static PostgresDatabase db;
  private static PooledDataSource nodeA;
  private static PooledDataSource nodeB;

  @BeforeAll
  static void database() throws Exception {
    db = PostgresDatabase.create("authn_lockout");
    nodeA = new PooledDataSource(db.dataSource(), 16);
    nodeB = new PooledDataSource(db.dataSource(), 16);
  }

  @AfterAll
  static void dropDatabase() throws Exception {
    nodeA.close();
    nodeB.close();
    db.close();
  }

  @Override
  protected int concurrencyThreads() {
    return 16;
  }

  @Override
  protected AttemptStore createStore(FakeClock clock) throws Exception {
    JdbcAttemptStore s = new JdbcAttemptStore(nodeA, clock);
    try (Connection c = nodeA.getConnection(); Statement st = c.createStatement()) {
      st.execute("TRUNCATE bulwark_authn_attempts");
    }
    return s;
  }

  @Test
  void twoNodes_manyThreads_countEveryFailureExactlyOnce() throws Exception {
    AttemptStore a = new JdbcAttemptStore(nodeA, clock);
    AttemptStore b = new JdbcAttemptStore(nodeB, clock);
    int threadsPerNode = 16;
    int perThread = 150;
    int keys = 5;
    Instant t = clock.instant();
    ExecutorService pool = Executors.newFixedThreadPool(threadsPerNode * 2);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<String>>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < threadsPerNode * 2; i++) {
        AttemptStore node = i % 2 == 0 ? a : b;
        int offset = i;
        futures.add(pool.submit(() -> {
          start.await();
          List<String> seen = new ArrayList<>();
          for (int j = 0; j < perThread; j++) {
            String key = "k" + ((j + offset) % keys);
            seen.add(key + "#" + node.recordFailure(key, t, t.plusSeconds(3600), Long.MAX_VALUE).failures());
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
      long total = 0;
      for (int k = 0; k < keys; k++) {
        long onA = a.get("k" + k, t).failures();
        assertEquals(onA, b.get("k" + k, t).failures(), "both nodes read the same count");
        total += onA;
      }
      assertEquals((long) threadsPerNode * 2 * perThread, total);
      assertEquals(total, all.size());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoNodes_disableAnAccountFactorAtExactlyTheNistLimit() throws Exception {
    LockoutPolicy policy = LockoutPolicy.defaults()
        .withFactorRule(Factor.PASSWORD, new LockoutRule(99, Duration.ofSeconds(1), Duration.ofSeconds(1), 100, Duration.ofDays(1)))
        .withAccountRule(new LockoutRule(100, Duration.ofSeconds(1), Duration.ofSeconds(1), 0, Duration.ofDays(1)));
    Lockout onA = Lockout.builder(new JdbcAttemptStore(nodeA, clock)).policy(policy).clock(clock).build();
    Lockout onB = Lockout.builder(new JdbcAttemptStore(nodeB, clock)).policy(policy).clock(clock).build();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        Lockout node = i % 2 == 0 ? onA : onB;
        futures.add(pool.submit(() -> node.recordFailure("mallory-target", Factor.PASSWORD, Optional.empty())));
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
    onA.unlock("mallory-target", "it-admin");
    assertTrue(onB.check("mallory-target", Factor.PASSWORD, Optional.empty()).open());
  }

  @Test
  void purgeExpired_removesOnlyExpiredEnabledRows() {
    JdbcAttemptStore s = new JdbcAttemptStore(nodeA, clock);
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
