package dev.bulwark.testkit.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.ratelimit.RateLimitDecision;
import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.RateLimitKey;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.jdbc.JdbcRateLimitStore;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.ratelimit.RateLimitStoreException;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import dev.bulwark.testing.pg.TestPool;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link JdbcRateLimitStore} on a real PostgreSQL: the contract, a table of the wrong shape, a
 * row held locked past the statement timeout, an exhausted pool, and purging idle rows.
 */
class JdbcRateLimitStoreIT extends RateLimitStoreContract {

  private static PostgresSchema db;
  private static TestPool pool;

  @BeforeAll
  static void database() throws Exception {
    db = PostgresSchema.create("ratelimit");
    pool = db.pool(16);
  }

  @AfterAll
  static void dropDatabase() throws Exception {
    pool.close();
    db.close();
  }

  @Override
  protected int concurrencyThreads() {
    return 16;
  }

  @Override
  protected RateLimitStore createStore(FakeClock clock) throws Exception {
    JdbcRateLimitStore s = JdbcRateLimitStore.create(pool);
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      st.execute("TRUNCATE " + JdbcRateLimitStore.TABLE);
    }
    return s;
  }

  @Test
  void aTableOfAnotherShape_isATypedErrorAtStartUp() throws Exception {
    try (PostgresSchema other = PostgresSchema.create("ratelimit_shape")) {
      try (Connection c = other.dataSource().getConnection(); Statement st = c.createStatement()) {
        st.execute("CREATE TABLE bulwark_ratelimit (limit_key VARCHAR(600) PRIMARY KEY, tats BIGINT NOT NULL,"
            + " now_us BIGINT NOT NULL, admitted BOOLEAN NOT NULL)");
      }
      RateLimitStoreException e = assertThrows(RateLimitStoreException.class, () -> JdbcRateLimitStore.create(other.dataSource()));
      assertTrue(e.getMessage().contains("tats"), e.getMessage());
      try (Connection c = other.dataSource().getConnection(); Statement st = c.createStatement()) {
        st.execute("DROP TABLE bulwark_ratelimit");
        st.execute("CREATE TABLE bulwark_ratelimit (limit_key VARCHAR(600) PRIMARY KEY)");
      }
      assertThrows(RateLimitStoreException.class, () -> JdbcRateLimitStore.create(other.dataSource()));
    }
  }

  @Test
  void aRowLockedPastTheStatementTimeout_givesStoreUnavailable_notAnExceptionNorAnAdmission() throws Exception {
    RateLimiter rl = RateLimiter.builder("timeout", JdbcRateLimitStore.builder(pool).queryTimeout(Duration.ofSeconds(1)).build())
        .quota(Quota.perDay(100)).build();
    RateLimitKey key = RateLimitKey.of("locked");
    assertTrue(rl.acquire(key).allowed());
    try (Connection holder = pool.getConnection(); Statement st = holder.createStatement()) {
      holder.setAutoCommit(false);
      st.execute("SELECT 1 FROM bulwark_ratelimit WHERE limit_key = 'timeout|k:locked' FOR UPDATE");
      RateLimitDecision d = rl.acquire(key);
      assertFalse(d.allowed());
      assertEquals(RateLimitDecision.Reason.STORE_UNAVAILABLE, d.reason());
      holder.rollback();
      holder.setAutoCommit(true);
    }
    RateLimitDecision after = rl.acquire(key);
    assertTrue(after.allowed());
    assertEquals(98, after.remaining(), "the timed-out statement took nothing");
  }

  @Test
  void anExhaustedPool_givesStoreUnavailable() throws Exception {
    try (TestPool tiny = TestPool.of(db.dataSource(), 1, Duration.ofMillis(200))) {
      RateLimiter rl = RateLimiter.builder("pool", JdbcRateLimitStore.create(tiny)).quota(Quota.perMinute(10)).build();
      RateLimitKey key = RateLimitKey.of("p");
      assertTrue(rl.acquire(key).allowed());
      try (Connection held = tiny.getConnection()) {
        RateLimitDecision d = rl.acquire(key);
        assertFalse(d.allowed());
        assertEquals(RateLimitDecision.Reason.STORE_UNAVAILABLE, d.reason());
        assertTrue(held.isValid(1));
      }
      assertTrue(rl.acquire(key).allowed());
    }
  }

  @Test
  void purgeIdle_deletesOnlyRowsThatEqualFreshOnes() throws Exception {
    JdbcRateLimitStore s = JdbcRateLimitStore.create(pool);
    s.acquire("live", List.of(Quota.perDay(10)), 1);
    s.acquire("idle", List.of(Quota.of("fast", 1_000_000, Duration.ofSeconds(1))), 1);
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      st.execute("SELECT pg_sleep(0.01)");
    }
    assertEquals(1, s.purgeIdle());
    assertFalse(s.acquire("live", List.of(Quota.perDay(10).withBurst(1)), 1).admitted(), "the live row was kept");
  }
}
