package dev.bulwark.authz.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authz.AuthzStoreException;
import dev.bulwark.authz.Binding;
import dev.bulwark.authz.Principal;
import dev.bulwark.authz.Review;
import dev.bulwark.authz.Scope;
import dev.bulwark.testing.pg.PostgresSchema;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The published migrations: a 0.1 database converges, and {@code createSchema(false)} runs no DDL. */
class JdbcAuthzStoreSchemaIT {

  PostgresSchema db;

  @BeforeEach
  void schema() {
    db = PostgresSchema.create("authz_schema");
  }

  @AfterEach
  void drop() throws Exception {
    db.close();
  }

  @Test
  void tablesOfRelease01_withBigintNanoseconds_areConvertedToTimestamptz_keepingTheirRows() throws Exception {
    String v1;
    try (InputStream in = JdbcAuthzStore.class.getResourceAsStream("/db/migration/bulwark-authz/V1__tables.sql")) {
      v1 = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Instant t = Instant.parse("2026-12-07T10:00:00.123456789Z");
    long nanos = t.getEpochSecond() * 1_000_000_000L + t.getNano();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(v1);
      s.execute("INSERT INTO bulwark_authz_bindings (id, principal, role, tenant, scope_kind, not_before, not_after,"
          + " review_by) VALUES ('b1', 'user:bob', 'viewer', 'acme', 'ORGANIZATION', " + nanos + ", " + (nanos + 60_000_000_000L)
          + ", NULL)");
      s.execute("INSERT INTO bulwark_authz_reviews (binding_id, outcome, reviewer, note, at_nanos, next_review_by)"
          + " VALUES ('b1', 'CERTIFIED', 'rita', 'ok', " + nanos + ", " + (nanos + 1_000_000_000L) + ")");
    }
    JdbcAuthzStore store = JdbcAuthzStore.create(db.dataSource());
    Binding expected = new Binding("b1", Principal.user("bob"), "viewer", "acme", Scope.organization(),
        Optional.of(t), Optional.of(t.plusSeconds(60)), Optional.empty());
    assertEquals(List.of(expected), store.read().policy().bindings());
    assertEquals(Instant.parse("2026-12-07T10:00:00.123456Z"), store.read().policy().bindings().get(0).notBefore().get());
    assertEquals(List.of(new Review("b1", Review.Outcome.CERTIFIED, "rita", "ok", t, Optional.of(t.plusSeconds(1)))),
        store.reviews("b1"));
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema()"
            + " AND table_name LIKE 'bulwark_authz_%' AND data_type = 'timestamp with time zone'")) {
      rs.next();
      assertEquals(5, rs.getInt(1));
    }
    JdbcAuthzStore.create(db.dataSource()).read(); // a second start applies nothing again
  }

  @Test
  void createSchemaFalse_onlyChecks_andARoleWithoutCreateWorksOnMigratedTables() throws Exception {
    DataSource app = db.createRole("app");
    AuthzStoreException missing = assertThrows(AuthzStoreException.class,
        () -> JdbcAuthzStore.builder(db.dataSource()).createSchema(false).build());
    assertTrue(missing.getMessage().contains("db/migration/bulwark-authz/"), missing.getMessage());
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")) {
      rs.next();
      assertEquals(0, rs.getInt(1), "createSchema(false) created nothing");
    }
    JdbcAuthzStore.create(db.dataSource());
    db.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + db.name() + " TO " + db.name() + "_app",
        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA " + db.name() + " TO " + db.name() + "_app");
    JdbcAuthzStore store = JdbcAuthzStore.builder(app).createSchema(false).build();
    assertEquals(0, store.read().revision());
    assertTrue(store.putBinding(Binding.of("b", Principal.user("x"), "viewer", "acme", Scope.organization()), 0).isPresent());
  }
}
