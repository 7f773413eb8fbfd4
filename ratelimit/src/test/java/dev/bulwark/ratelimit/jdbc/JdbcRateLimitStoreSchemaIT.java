package dev.bulwark.ratelimit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.RateLimitStoreException;
import dev.bulwark.ratelimit.spi.Step;
import dev.bulwark.testing.pg.PostgresSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The published migrations: a 0.1 table keeps its limits as timestamptz; {@code createSchema(false)} runs no DDL. */
class JdbcRateLimitStoreSchemaIT {

  PostgresSchema db;

  @BeforeEach
  void schema() {
    db = PostgresSchema.create("rl_schema");
  }

  @AfterEach
  void drop() throws Exception {
    db.close();
  }

  @Test
  void aTableOfRelease01_keepsEveryArrivalTime_asTimestamptz() throws Exception {
    long future = 4_102_444_800_000_000L; // 2100-01-01 in microseconds
    db.execute("CREATE TABLE bulwark_ratelimit (limit_key VARCHAR(600) PRIMARY KEY, tats BIGINT[] NOT NULL,"
            + " now_us BIGINT NOT NULL, admitted BOOLEAN NOT NULL) WITH (fillfactor = 70)",
        "INSERT INTO bulwark_ratelimit VALUES ('full', ARRAY[" + future + ", " + (future + 7) + "], 1, TRUE)");
    JdbcRateLimitStore store = JdbcRateLimitStore.create(db.dataSource());
    Quota q = Quota.perDay(5);
    Step s = store.acquire("full", List.of(q, q.withBurst(4)), 1);
    assertFalse(s.admitted(), "the converted key is still exhausted");
    assertEquals(future, s.tatMicros(0));
    assertEquals(future + 7, s.tatMicros(1));
    try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT tats[1] = timestamptz '2100-01-01T00:00:00Z', pg_typeof(decided_at)::text"
            + " FROM bulwark_ratelimit WHERE limit_key = 'full'")) {
      rs.next();
      assertTrue(rs.getBoolean(1));
      assertEquals("timestamp with time zone", rs.getString(2));
    }
    assertTrue(store.acquire("fresh", List.of(q), 1).admitted());
  }

  @Test
  void createSchemaFalse_onlyChecks() throws Exception {
    RateLimitStoreException e = assertThrows(RateLimitStoreException.class,
        () -> JdbcRateLimitStore.builder(db.dataSource()).createSchema(false).build());
    assertTrue(e.getMessage().contains("db/migration/bulwark-ratelimit/"), e.getMessage());
    try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")) {
      rs.next();
      assertEquals(0, rs.getInt(1), "createSchema(false) created nothing");
    }
    JdbcRateLimitStore.create(db.dataSource());
    JdbcRateLimitStore checked = JdbcRateLimitStore.builder(db.dataSource()).createSchema(false).build();
    assertTrue(checked.acquire("k", List.of(Quota.perMinute(1)), 1).admitted());
    assertFalse(checked.acquire("k", List.of(Quota.perMinute(1)), 1).admitted());
  }
}
