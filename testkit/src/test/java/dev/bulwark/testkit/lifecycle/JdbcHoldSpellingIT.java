package dev.bulwark.testkit.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.Lifecycle;
import dev.bulwark.lifecycle.PurgeRunner;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.RetentionPolicies;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore;
import dev.bulwark.lifecycle.jdbc.TableMapping;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Property: on PostgreSQL, a legal hold placed on any spelling of a record id or subject that
 * the column's type accepts (upper-case or braced UUIDs, {@code 007} or {@code +7} for a bigint,
 * {@code 7.00} or {@code 7e0} for a numeric) holds exactly the rows with that value: no held
 * row is ever purged, and no other row is kept. Seeded: {@code -Dbulwark.seed=N} replays a run.
 */
class JdbcHoldSpellingIT {

  private static final long SEED = Long.getLong("bulwark.seed", 0x5eed13L);
  private static final int CASES = Integer.getInteger("bulwark.cases", 25);
  private static final Attribution WHO = Attribution.of("legal", "case 13");

  /** One id/subject type under test. */
  enum Kind {
    UUID_("uuid"), BIGINT("bigint"), NUMERIC("numeric"), TEXT("text");

    final String sql;

    Kind(String sql) {
      this.sql = sql;
    }

    DataClass dataClass() {
      return DataClass.of("k-" + name().toLowerCase(Locale.ROOT).replace("_", ""));
    }

    String table() {
      return "k_" + name().toLowerCase(Locale.ROOT).replace("_", "");
    }
  }

  /** One row: its canonical id and subject, as the test knows them. */
  record Row(Kind kind, String id, String subject) {}

  private PostgresSchema db;
  private DataSource ds;
  private FakeClock clock;

  @BeforeEach
  void setUp() throws SQLException {
    db = PostgresSchema.create("lcspell");
    ds = db.dataSource();
    clock = FakeClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (Kind k : Kind.values()) {
        s.execute("CREATE TABLE " + k.table() + " (id " + k.sql + " PRIMARY KEY, subject " + k.sql
            + ", deleted_at timestamptz, purge_after timestamptz)");
      }
    }
    JdbcLifecycleStore.createSchema(ds);
  }

  @AfterEach
  void tearDown() throws SQLException {
    db.close();
  }

  private Lifecycle lifecycle() {
    List<TableMapping> mappings = new ArrayList<>();
    List<RetentionPolicy> policies = new ArrayList<>();
    for (Kind k : Kind.values()) {
      mappings.add(TableMapping.of(k.dataClass(), k.table()).withSubject("subject"));
      policies.add(RetentionPolicy.purgeAfter(k.dataClass(), Period.ofDays(30)));
    }
    return Lifecycle.builder(JdbcLifecycleStore.create(ds, mappings))
        .policies(RetentionPolicies.of(policies.toArray(new RetentionPolicy[0]))).clock(clock).batchSize(3).build();
  }

  @Test
  void noHeldRowIsEverPurged_whateverSpellingTheHoldUsed() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED);
    for (int n = 0; n < CASES; n++) {
      String where = "seed " + SEED + " case " + n;
      reset();
      List<Row> rows = new ArrayList<>();
      for (Kind k : Kind.values()) {
        Set<String> ids = new HashSet<>();
        int count = 3 + random.nextInt(6);
        while (ids.size() < count) {
          ids.add(value(k, random, 1000));
        }
        for (String id : ids) {
          rows.add(new Row(k, id, value(k, random, 4)));
        }
      }
      insert(rows);
      Lifecycle l = lifecycle();
      Set<Row> held = new HashSet<>();
      List<String> placed = new ArrayList<>();
      for (int h = random.nextInt(5); h >= 0; h--) {
        Row target = rows.get(random.nextInt(rows.size()));
        if (random.nextBoolean()) {
          String spelled = spell(target.kind(), target.id(), random);
          l.holdRecord(RecordRef.of(target.kind().dataClass(), spelled), "case", "legal", WHO);
          held.add(target);
          placed.add("record " + target.kind() + " '" + spelled + "'");
        } else {
          String spelled = spell(target.kind(), target.subject(), random);
          l.holdSubject(spelled, "case", "legal", WHO);
          for (Row r : rows) {
            if (r.kind() == target.kind() && r.subject().equals(target.subject())) {
              held.add(r);
            }
          }
          placed.add("subject " + target.kind() + " '" + spelled + "'");
        }
      }
      clock.advance(Duration.ofMinutes(1));
      PurgeRunner.builder(l).checkStoreClock(false).maxGapSinceLastRun(Duration.ofDays(3650)).build()
          .run(new PurgeRunner.Confirmation(WHO, 10_000));
      for (Row r : rows) {
        boolean present = exists(r);
        assertEquals(held.contains(r), present, where + ": " + r + (held.contains(r) ? " is held but was purged"
            : " is not held but was kept") + "; holds " + placed);
      }
    }
  }

  @Test
  void holdOnAValueTheColumnCannotHold_isRefused_andStoresNothing() throws Exception {
    Lifecycle l = lifecycle();
    assertThrows(IllegalArgumentException.class,
        () -> l.holdRecord(RecordRef.of(Kind.UUID_.dataClass(), "not-a-uuid"), "case", "legal", WHO));
    assertThrows(IllegalArgumentException.class,
        () -> l.holdRecord(RecordRef.of(Kind.BIGINT.dataClass(), "7.5"), "case", "legal", WHO));
    assertTrue(JdbcLifecycleStore.create(ds, TableMapping.of(Kind.UUID_.dataClass(), Kind.UUID_.table()))
        .activeHolds().isEmpty());
  }

  private void reset() throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (Kind k : Kind.values()) {
        s.execute("DELETE FROM " + k.table());
      }
      s.execute("DELETE FROM bulwark_lifecycle_hold_targets");
      s.execute("DELETE FROM bulwark_lifecycle_holds");
      s.execute("DELETE FROM bulwark_lifecycle_watermark");
    }
  }

  private void insert(List<Row> rows) throws SQLException {
    try (Connection c = ds.getConnection()) {
      for (Row r : rows) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + r.kind().table() + " (id, subject, deleted_at,"
            + " purge_after) VALUES (CAST(? AS " + r.kind().sql + "), CAST(? AS " + r.kind().sql + "), ?, ?)")) {
          ps.setString(1, r.id());
          ps.setString(2, r.subject());
          ps.setObject(3, java.time.OffsetDateTime.ofInstant(clock.instant().minus(Duration.ofDays(40)),
              java.time.ZoneOffset.UTC));
          ps.setObject(4, java.time.OffsetDateTime.ofInstant(clock.instant().minus(Duration.ofDays(10)),
              java.time.ZoneOffset.UTC));
          ps.executeUpdate();
        }
      }
    }
  }

  private boolean exists(Row r) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT count(*) FROM " + r.kind().table() + " WHERE id = CAST(? AS " + r.kind().sql + ")")) {
      ps.setString(1, r.id());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) == 1;
      }
    }
  }

  /** A canonical value of the kind; subjects come from a small pool so that they repeat. */
  private static String value(Kind k, SplittableRandom random, int range) {
    switch (k) {
      case UUID_:
        return new UUID(range <= 4 ? random.nextInt(range) : random.nextLong(), random.nextInt(range)).toString();
      case BIGINT:
        return Long.toString(1 + random.nextInt(range));
      case NUMERIC:
        // Disjoint from the bigint pool, with a fractional part sometimes.
        return random.nextBoolean() ? Integer.toString(5000 + random.nextInt(range))
            : (5000 + random.nextInt(range)) + "." + (1 + random.nextInt(9));
      default:
        String[] pool = {"alice", "Bob", "carol ", "dé", "e-1", "F"};
        return range <= 4 ? pool[random.nextInt(pool.length)] : "t-" + random.nextInt(range) + pool[random.nextInt(pool.length)];
    }
  }

  /** Another spelling of the same value, as the column's type would accept it. */
  static String spell(Kind k, String canonical, SplittableRandom random) {
    switch (k) {
      case UUID_:
        switch (random.nextInt(5)) {
          case 0:
            return canonical.toUpperCase(Locale.ROOT);
          case 1:
            return "{" + canonical + "}";
          case 2:
            return canonical.replace("-", "");
          case 3:
            StringBuilder mixed = new StringBuilder();
            for (char ch : canonical.toCharArray()) {
              mixed.append(random.nextBoolean() ? Character.toUpperCase(ch) : ch);
            }
            return mixed.toString();
          default:
            return canonical;
        }
      case BIGINT:
        switch (random.nextInt(4)) {
          case 0:
            return "00" + canonical;
          case 1:
            return "+" + canonical;
          case 2:
            return " " + canonical + " ";
          default:
            return canonical;
        }
      case NUMERIC:
        switch (random.nextInt(4)) {
          case 0:
            return canonical + (canonical.contains(".") ? "000" : ".00");
          case 1:
            return "0" + canonical;
          case 2:
            return canonical + "e0";
          default:
            return canonical;
        }
      default:
        // Text has one spelling per value.
        return canonical;
    }
  }
}
