package dev.bulwark.common.internal.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.common.StoreException;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.testing.pg.PostgresSchema;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A store opened through the settings, on a real PostgreSQL: the schema step and the statement timeout. */
class JdbcStoreSettingsIT {

  static final class DemoStoreException extends StoreException {
    private static final long serialVersionUID = 1L;

    DemoStoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final JdbcSchema SCHEMA = JdbcSchema.builder("demo", JdbcStoreSettingsIT.class)
      .migrations("V1__tables.sql", "V2__timestamptz.sql")
      .table("bulwark_demo_items", "id text", "created_at timestamptz")
      .build();

  @Test
  void createSchemaFalse_onAnEmptySchema_failsWithTheSchemaException_andCreatesNothing() throws Exception {
    try (PostgresSchema pg = PostgresSchema.create("common_store")) {
      JdbcStoreSettings s = new JdbcStoreSettings(pg.dataSource());
      s.createSchema(false);
      DemoStoreException e = assertThrows(DemoStoreException.class, () -> s.open(SCHEMA,
          (what, cause) -> new DemoStoreException("schema: " + what, cause),
          (what, cause) -> new DemoStoreException("operation: " + what, cause)));
      assertTrue(e.getMessage().startsWith("schema: ") && e.getMessage().contains("db/migration/bulwark-demo/"),
          e.getMessage());
      TimedJdbc created = new JdbcStoreSettings(pg.dataSource()).open(SCHEMA, DemoStoreException::new);
      assertEquals(0, (int) created.run("counting", c -> {
        try (PreparedStatement ps = created.prepare(c, "SELECT count(*) FROM bulwark_demo_items");
            ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }));
    }
  }

  @Test
  void aStatementPastTheTimeout_isCancelled_andIsTheOperationsException() throws Exception {
    try (PostgresSchema pg = PostgresSchema.create("common_store")) {
      JdbcStoreSettings s = new JdbcStoreSettings(pg.dataSource());
      s.queryTimeout(Duration.ofMillis(300));
      TimedJdbc db = s.open(SCHEMA, (what, cause) -> new DemoStoreException("schema: " + what, cause),
          (what, cause) -> new DemoStoreException("operation: " + what, cause));
      assertEquals(1, db.queryTimeoutSeconds());
      DemoStoreException e = assertThrows(DemoStoreException.class, () -> db.run("sleeping", c -> {
        try (PreparedStatement ps = db.prepare(c, "SELECT pg_sleep(10)")) {
          assertEquals(1, ps.getQueryTimeout());
          return ps.execute();
        }
      }));
      assertEquals("operation: sleeping failed", e.getMessage());
      assertEquals("57014", ((SQLException) e.getCause()).getSQLState(), "query_canceled");
    }
  }
}
