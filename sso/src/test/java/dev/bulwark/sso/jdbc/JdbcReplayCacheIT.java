package dev.bulwark.sso.jdbc;

import dev.bulwark.testing.FakeClock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The replay cache against a real PostgreSQL, each run in a schema of its own. */
class JdbcReplayCacheIT {

  final PGSimpleDataSource ds = new PGSimpleDataSource();
  final String schema = "sso_it_" + UUID.randomUUID().toString().replace("-", "");
  final FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T10:00:00Z"));

  @BeforeEach
  void schema() throws Exception {
    ds.setURL(System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"));
    ds.setUser(System.getProperty("bulwark.pg.user", "postgres"));
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
  }

  @AfterEach
  void drop() throws Exception {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  @Test
  void secondUse_isRefused_untilExpiry_andAcrossInstances() {
    JdbcReplayCache a = new JdbcReplayCache(ds, clock, schema + ".replay");
    JdbcReplayCache b = new JdbcReplayCache(ds, clock, schema + ".replay");
    Instant exp = clock.instant().plusSeconds(60);
    assertTrue(a.firstUse("idp", "x", exp));
    assertFalse(b.firstUse("idp", "x", exp), "another node sees the use");
    assertTrue(b.firstUse("idp2", "x", exp));
    clock.advance(Duration.ofSeconds(61));
    assertTrue(b.firstUse("idp", "x", clock.instant().plusSeconds(60)), "expired entry is taken over");
  }

  @Test
  void concurrentUses_exactlyOneWins() throws Exception {
    JdbcReplayCache cache = new JdbcReplayCache(ds, clock, schema + ".replay");
    Instant exp = clock.instant().plusSeconds(60);
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      for (int round = 0; round < 10; round++) {
        String id = "id-" + round;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> fs = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
          fs.add(pool.submit(() -> {
            go.await();
            return cache.firstUse("idp", id, exp);
          }));
        }
        go.countDown();
        int wins = 0;
        for (Future<Boolean> f : fs) {
          wins += f.get() ? 1 : 0;
        }
        assertEquals(1, wins, "round " + round);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
