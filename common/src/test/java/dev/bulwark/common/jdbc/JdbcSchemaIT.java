package dev.bulwark.common.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.common.StoreException;
import dev.bulwark.testing.pg.PostgresSchema;
import dev.bulwark.testing.pg.TestPool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The JDBC kit against a real PostgreSQL: concurrent starts, migrations, read-only roles, transactions. */
class JdbcSchemaIT {

  static final class DemoStoreException extends StoreException {
    private static final long serialVersionUID = 1L;

    DemoStoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static JdbcSchema schema() {
    return JdbcSchema.builder("demo", JdbcSchemaIT.class)
        .migrations("V1__tables.sql", "V2__timestamptz.sql")
        .table("bulwark_demo_items", "id text", "created_at timestamptz")
        .build();
  }

  private static int count(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void manyNodesStartingAtOnceCreateTheSchemaOnce() throws Exception {
    try (PostgresSchema pg = PostgresSchema.create("common")) {
      int nodes = 8;
      ExecutorService pool = Executors.newFixedThreadPool(nodes);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        done.add(pool.submit(() -> {
          start.await();
          schema().apply(pg.dataSource(), true, DemoStoreException::new);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
      pool.shutdown();
      assertEquals(2, count(pg.dataSource(), "SELECT count(*) FROM bulwark_schema_history WHERE module = 'demo'"));
    }
  }

  @Test
  void aTableFromAnEarlierReleaseIsMigratedKeepingItsRows() throws Exception {
    try (PostgresSchema pg = PostgresSchema.create("common")) {
      pg.execute("CREATE TABLE bulwark_demo_items (id text PRIMARY KEY, created_at bigint NOT NULL)",
          "INSERT INTO bulwark_demo_items VALUES ('a', 1700000000123456789)");
      schema().apply(pg.dataSource(), true, DemoStoreException::new);
      try (Connection c = pg.dataSource().getConnection();
           PreparedStatement ps = c.prepareStatement("SELECT created_at FROM bulwark_demo_items WHERE id = 'a'");
           ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertEquals(Instant.parse("2023-11-14T22:13:20.123457Z"), Timestamps.get(rs, 1));
      }
    }
  }

  @Test
  void withoutCreateNothingIsWrittenAndAMissingSchemaIsNamed() throws Exception {
    try (PostgresSchema pg = PostgresSchema.create("common")) {
      DemoStoreException e = assertThrows(DemoStoreException.class,
          () -> schema().apply(pg.dataSource(), false, DemoStoreException::new));
      assertTrue(e.getMessage().contains("classpath:db/migration/bulwark-demo/"), e.getMessage());
      assertEquals(0, count(pg.dataSource(),
          "SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + pg.name() + "'"));
    }
  }

  @Test
  void anOutdatedColumnTypeFailsTheCheck() throws Exception {
    try (PostgresSchema pg = PostgresSchema.create("common")) {
      pg.execute("CREATE TABLE bulwark_demo_items (id text PRIMARY KEY, created_at bigint NOT NULL)");
      DemoStoreException e = assertThrows(DemoStoreException.class,
          () -> schema().apply(pg.dataSource(), false, DemoStoreException::new));
      assertTrue(e.getCause().getMessage().contains("created_at is int8, expected timestamptz"),
          e.getCause().getMessage());
    }
  }

  @Test
  void aRoleWithoutCreateUsesTablesMadeByMigrations() throws Exception {
    try (PostgresSchema pg = PostgresSchema.create("common")) {
      schema().apply(pg.dataSource(), true, DemoStoreException::new);
      DataSource app = pg.createRole("app");
      pg.execute("GRANT SELECT ON bulwark_demo_items, bulwark_schema_history TO " + pg.name() + "_app");
      schema().apply(app, true, DemoStoreException::new);
      schema().apply(app, false, DemoStoreException::new);
    }
  }

  @Test
  void aRoleWithoutCreateOnAnEmptySchemaFailsWithBothCauses() throws Exception {
    try (PostgresSchema pg = PostgresSchema.create("common")) {
      DataSource app = pg.createRole("app");
      DemoStoreException e = assertThrows(DemoStoreException.class,
          () -> schema().apply(app, true, DemoStoreException::new));
      assertEquals(1, e.getCause().getSuppressed().length, "the CREATE failure is kept");
    }
  }

  @Test
  void aTransactionRollsBackOnFailureAndTheConnectionGoesBackClean() throws Exception {
    try (PostgresSchema pg = PostgresSchema.create("common"); TestPool pool = pg.pool(1)) {
      schema().apply(pool, true, DemoStoreException::new);
      Jdbc jdbc = Jdbc.of(pool, DemoStoreException::new);
      assertThrows(DemoStoreException.class, () -> jdbc.inTransaction("insert twice", c -> {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_demo_items VALUES (?, ?)")) {
          ps.setString(1, "x");
          Timestamps.set(ps, 2, Instant.EPOCH);
          ps.executeUpdate();
          ps.executeUpdate();
        }
        return null;
      }));
      assertThrows(IllegalArgumentException.class, () -> jdbc.inTransaction("work that throws", c -> {
        try (Statement s = c.createStatement()) {
          s.executeUpdate("INSERT INTO bulwark_demo_items VALUES ('y', now())");
        }
        throw new IllegalArgumentException("refused");
      }));
      assertEquals(0, count(pool, "SELECT count(*) FROM bulwark_demo_items"));
      assertTrue(jdbc.run("auto-commit", Connection::getAutoCommit));
      Instant t = Instant.parse("2026-12-07T05:00:00.123456789Z");
      jdbc.inTransaction("insert", c -> {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_demo_items VALUES ('z', ?)")) {
          Timestamps.set(ps, 1, t);
          return ps.executeUpdate();
        }
      });
      Instant read = jdbc.run("read", c -> {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT created_at FROM bulwark_demo_items")) {
          rs.next();
          return Timestamps.get(rs, "created_at");
        }
      });
      assertEquals(Timestamps.truncate(t), read);
    }
  }

  @Test
  void serializationFailuresAreRetried() throws Exception {
    try (PostgresSchema pg = PostgresSchema.create("common")) {
      Jdbc jdbc = Jdbc.of(pg.dataSource(), DemoStoreException::new);
      int[] tries = {0};
      int result = jdbc.inTransactionRetrying("flaky", c -> {
        if (++tries[0] < 3) {
          throw new SQLException("could not serialize access", "40001");
        }
        return 7;
      });
      assertEquals(7, result);
      assertEquals(3, tries[0]);
      assertThrows(DemoStoreException.class, () -> jdbc.inTransactionRetrying("broken", c -> {
        throw new SQLException("syntax", "42601");
      }));
    }
  }
}
