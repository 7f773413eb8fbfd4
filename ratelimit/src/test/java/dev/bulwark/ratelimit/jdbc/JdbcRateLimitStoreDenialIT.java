package dev.bulwark.ratelimit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.spi.Step;
import dev.bulwark.testing.pg.PostgresSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request the committed state already denies is answered from a read: the key's row keeps its
 * version (no update, no WAL, no commit to flush), for one quota and for several, and the answer
 * carries the stored arrival times for the retry-after.
 */
class JdbcRateLimitStoreDenialIT {

  PostgresSchema db;
  JdbcRateLimitStore store;

  @BeforeEach
  void schema() {
    db = PostgresSchema.create("rl_denial");
    store = JdbcRateLimitStore.create(db.dataSource());
  }

  @AfterEach
  void drop() throws Exception {
    db.close();
  }

  @Test
  void oneQuota_denialWritesNothing() throws Exception {
    Quota q = Quota.perDay(2);
    assertTrue(store.acquire("k", List.of(q), 1).admitted());
    String afterFirst = rowVersion("k");
    Step second = store.acquire("k", List.of(q), 1);
    assertTrue(second.admitted());
    String full = rowVersion("k");
    assertNotEquals(afterFirst, full, "an admission writes a new row version");
    for (int i = 0; i < 5; i++) {
      Step denied = store.acquire("k", List.of(q), 1);
      assertFalse(denied.admitted());
      assertEquals(second.tatMicros(0), denied.tatMicros(0), "the denial reports the stored arrival time");
      assertTrue(denied.nowMicros() >= second.nowMicros());
    }
    assertEquals(full, rowVersion("k"), "denials left the row as it was");
  }

  @Test
  void severalQuotas_denialByAnyWritesNothing() throws Exception {
    List<Quota> quotas = List.of(Quota.of("m", 100, Duration.ofMinutes(1)), Quota.perDay(1));
    assertTrue(store.acquire("multi", quotas, 1).admitted());
    String stored = rowVersion("multi");
    Step denied = store.acquire("multi", quotas, 1);
    assertFalse(denied.admitted(), "the day quota is spent");
    assertEquals(2, denied.quotas());
    assertEquals(stored, rowVersion("multi"));
    // Other limits on the same key (a limiter rebuilt with one quota) go through the locked step.
    assertTrue(store.acquire("multi", List.of(Quota.perDay(5)), 1).admitted());
    assertNotEquals(stored, rowVersion("multi"));
  }

  private String rowVersion(String key) throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT xmin::text || '/' || ctid::text FROM bulwark_ratelimit WHERE limit_key = '" + key + "'")) {
      assertTrue(rs.next(), "row for " + key);
      return rs.getString(1);
    }
  }
}
