package dev.bulwark.sso.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The replay cache against a real PostgreSQL, each run in a schema of its own. */
class JdbcReplayCacheIT {

  final FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T10:00:00Z"));
  PostgresSchema db;
  DataSource ds;

  @BeforeEach
  void schema() {
    db = PostgresSchema.create("sso_it");
    ds = db.dataSource();
  }

  @AfterEach
  void drop() throws Exception {
    db.close();
  }

  @Test
  void secondUse_isRefused_untilExpiry_andAcrossInstances() {
    JdbcReplayCache a = JdbcReplayCache.builder(ds).clock(clock).build();
    JdbcReplayCache b = JdbcReplayCache.builder(ds).clock(clock).build();
    Instant exp = clock.instant().plusSeconds(60);
    assertTrue(a.firstUse("idp", "x", exp));
    assertFalse(b.firstUse("idp", "x", exp), "another node sees the use");
    assertTrue(b.firstUse("idp2", "x", exp));
    clock.advance(Duration.ofSeconds(61));
    assertTrue(b.firstUse("idp", "x", clock.instant().plusSeconds(60)), "expired entry is taken over");
  }

  @Test
  void concurrentUses_exactlyOneWins() throws Exception {
    JdbcReplayCache cache = JdbcReplayCache.builder(ds).clock(clock).build();
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

  @Test
  void createSchemaFalse_runsNoDdl_andChecksTheTable() {
    dev.bulwark.sso.SsoStoreException e = org.junit.jupiter.api.Assertions.assertThrows(dev.bulwark.sso.SsoStoreException.class,
        () -> JdbcReplayCache.builder(ds).createSchema(false).build());
    assertTrue(e.getMessage().contains("db/migration/bulwark-sso/"), e.getMessage());
    JdbcReplayCache.create(ds);
    JdbcReplayCache checked = JdbcReplayCache.builder(ds).clock(clock).createSchema(false).build();
    assertTrue(checked.firstUse("idp", "y", clock.instant().plusSeconds(5)));
    assertFalse(checked.firstUse("idp", "y", clock.instant().plusSeconds(5)));
  }
}
