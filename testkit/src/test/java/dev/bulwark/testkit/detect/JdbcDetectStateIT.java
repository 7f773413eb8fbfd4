package dev.bulwark.testkit.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.detect.ActivityEvent;
import dev.bulwark.detect.Assessment;
import dev.bulwark.detect.DetectStoreException;
import dev.bulwark.detect.Detection;
import dev.bulwark.detect.Detector;
import dev.bulwark.detect.Response;
import dev.bulwark.detect.RiskLevel;
import dev.bulwark.detect.jdbc.JdbcDetectState;
import dev.bulwark.detect.spi.DetectState;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import dev.bulwark.testing.pg.TestPool;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link JdbcDetectState} on a real PostgreSQL: the contract with two pools standing in for two
 * nodes, {@code createSchema(false)} on an empty and on a migrated schema, and a database that
 * cannot answer (the pool exhausted) failing the detector towards MEDIUM and step-up.
 */
class JdbcDetectStateIT extends DetectStateContract {

  private static PostgresSchema db;
  private static TestPool nodeA;
  private static TestPool nodeB;

  @BeforeAll
  static void database() throws Exception {
    db = PostgresSchema.create("detect");
    nodeA = db.pool(16);
    nodeB = db.pool(4);
  }

  @AfterAll
  static void drop() throws Exception {
    nodeA.close();
    nodeB.close();
    db.close();
  }

  @Override
  protected DetectState createStore(FakeClock clock) throws Exception {
    JdbcDetectState s = JdbcDetectState.create(nodeA);
    db.execute("TRUNCATE " + JdbcDetectState.WINDOWS + ", " + JdbcDetectState.MEMBERS + ", " + JdbcDetectState.RECORDS + ", "
        + JdbcDetectState.COUNTERS);
    return s;
  }

  @Override
  protected DetectState secondNode() {
    return JdbcDetectState.builder(nodeB).createSchema(false).build();
  }

  @Test
  void createSchemaFalse_refusesAnEmptySchema_andAcceptsAMigratedOne() throws Exception {
    try (PostgresSchema empty = PostgresSchema.create("detect_empty")) {
      DetectStoreException e = assertThrows(DetectStoreException.class,
          () -> JdbcDetectState.builder(empty.dataSource()).createSchema(false).build());
      assertTrue(e.getMessage().contains("db/migration/bulwark-detect/"), e.getMessage());
      JdbcDetectState.create(empty.dataSource());
      JdbcDetectState.builder(empty.dataSource()).createSchema(false).build()
          .addEvent("fail", "x", 1, 1000, 5);
    }
  }

  @Test
  void purgeExpired_deletesOnlyRowsPastTheirExpiry() throws Exception {
    long t = clock.instant().toEpochMilli();
    store.addEvent("fail", "old", t, 1, 5);
    store.addEvent("fail", "live", t, Duration.ofHours(1).toMillis(), 5);
    store.addMember("spray", "old", "a", t, 1, 5);
    store.put("profile", "old", "v", 1);
    store.put("profile", "live", "v", Duration.ofHours(1).toMillis());
    store.addCount("gfail", "all", t, 1, 1000, 60, 1);
    store.addCount("gfail", "all", t + 1000, 1, 1000, 60, Duration.ofHours(1).toMillis());
    Thread.sleep(20);
    assertEquals(4, ((JdbcDetectState) store).purgeExpired());
    assertEquals(1, store.sumCounts("gfail", "all", t, t + 1000, 1000));
    assertEquals(1, store.countEvents("fail", "live", t, Duration.ofHours(1).toMillis()));
    assertEquals("v", store.get("profile", "live"));
  }

  @Test
  void databaseOutage_failsTowardsStepUp_andIsReported() throws Exception {
    try (TestPool tiny = TestPool.of(db.dataSource(), 1, Duration.ofMillis(200))) {
      JdbcDetectState state = JdbcDetectState.builder(tiny).createSchema(false).build();
      List<Assessment> heard = new CopyOnWriteArrayList<>();
      Detector d = Detector.builder().state(state).listener(heard::add).build();
      Instant t = clock.instant();
      assertEquals(RiskLevel.NONE, d.assess(ActivityEvent.login(t, false, "erin", "192.0.2.1", "curl/8", null, null))
          .level());
      try (Connection held = tiny.getConnection()) {
        assertEquals(1, tiny.borrowed(), "the pool's one connection is held: " + held);
        assertThrows(DetectStoreException.class, () -> state.addEvent("fail", "erin", 0, 1000, 5));
        Assessment a = d.assess(ActivityEvent.login(t.plusSeconds(1), false, "erin", "192.0.2.1", "curl/8", null,
            null));
        assertEquals(RiskLevel.MEDIUM, a.level());
        assertEquals(Response.STEP_UP, a.response());
        assertEquals("state_unavailable", a.findings().get(0).code());
        assertTrue(a.flags(Detection.DETECTOR_ERROR));
        assertEquals(1, d.stateFailures());
        assertEquals(List.of(a), heard);
      }
      // Back: the failure during the outage was not recorded, the others were.
      assertEquals(2, state.addEvent("fail", "erin", t.plusSeconds(2).toEpochMilli(), 900_000, 21));
    }
  }
}
