package dev.bulwark.testkit.authn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AuthnStoreException;
import dev.bulwark.authn.grant.Grant;
import dev.bulwark.authn.grant.GrantState;
import dev.bulwark.authn.grant.jdbc.JdbcGrantStore;
import dev.bulwark.authn.lockout.Attempts;
import dev.bulwark.authn.lockout.jdbc.JdbcAttemptStore;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.session.SessionToken;
import dev.bulwark.authn.session.jdbc.JdbcSessionStore;
import dev.bulwark.authn.totp.jdbc.JdbcPendingTotpEnrollmentStore;
import dev.bulwark.authn.totp.jdbc.JdbcTotpCredentialStore;
import dev.bulwark.authn.totp.jdbc.JdbcUsedTotpStepStore;
import dev.bulwark.authn.webauthn.jdbc.JdbcChallengeStore;
import dev.bulwark.authn.webauthn.jdbc.JdbcCredentialStore;
import dev.bulwark.common.jdbc.SqlScript;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The published migrations of bulwark-authn: a database made by release 0.1 (bigint time columns,
 * no history table) converges to {@code timestamptz} keeping its rows, and stores built with
 * {@code createSchema(false)} run no DDL: they only check, and work for a role without CREATE.
 */
class AuthnSchemaMigrationIT {

  /** How many migrations bulwark-authn publishes. */
  private static final int MIGRATIONS = 4;

  private static final Instant T = Instant.parse("2026-03-01T10:15:30.123456789Z");

  @Test
  void tablesOfRelease01_convergeToTimestamptz_keepingTheirRows() throws Exception {
    try (PostgresSchema pg = PostgresSchema.create("authn_migrate")) {
      pg.execute(SqlScript.statements(resource("V1__tables.sql")).toArray(String[]::new));
      long ms = T.toEpochMilli();
      long ns = T.getEpochSecond() * 1_000_000_000L + T.getNano();
      pg.execute(
          "INSERT INTO bulwark_authn_attempts VALUES ('a:alice', 3, " + ms + ", " + (ms + 86_400_000L) + ", false)",
          "INSERT INTO bulwark_authn_webauthn_ceremonies VALUES ('c1', '{}', " + (ns + 60_000_000_000L) + ")",
          "INSERT INTO bulwark_authn_grants VALUES ('g1', 'bob', 'admin', 'on call', 3600000000000, 'PENDING', "
              + ns + ", NULL, NULL, NULL, NULL)");

      JdbcAttemptStore attempts = new JdbcAttemptStore(pg.dataSource(), FakeClock.at(T));
      JdbcChallengeStore ceremonies = new JdbcChallengeStore(pg.dataSource());
      JdbcGrantStore grants = new JdbcGrantStore(pg.dataSource());

      assertEquals(new Attempts(3, Instant.ofEpochMilli(ms), false), attempts.get("a:alice", T));
      assertEquals(Optional.of("{}"), ceremonies.take("c1", T.plusSeconds(59)));
      Instant micros = Instant.parse("2026-03-01T10:15:30.123456Z");
      assertEquals(Optional.of(new Grant("g1", "bob", "admin", "on call", Duration.ofHours(1), GrantState.PENDING,
          micros, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())), grants.find("g1"));
      for (String column : List.of("bulwark_authn_attempts.last_failure_at", "bulwark_authn_attempts.expires_at",
          "bulwark_authn_totp_steps.expires_at", "bulwark_authn_sessions.last_seen_at",
          "bulwark_authn_webauthn_credentials.registered_at", "bulwark_authn_grants.active_until")) {
        assertEquals("timestamp with time zone", columnType(pg.dataSource(), column), column);
      }
      // A second start applies nothing again and keeps the rows.
      assertEquals(3, new JdbcAttemptStore(pg.dataSource(), FakeClock.at(T)).get("a:alice", T).failures());
      assertEquals(MIGRATIONS, count(pg.dataSource(), "SELECT count(*) FROM bulwark_schema_history WHERE module = 'authn'"));
    }
  }

  /** A session stored by 0.2's first migrations (no authorities column) reads back with no authorities. */
  @Test
  void sessionOfAnEarlierVersion_readsWithNoAuthorities() throws Exception {
    try (PostgresSchema pg = PostgresSchema.create("authn_v3")) {
      pg.execute(SqlScript.statements(resource("V1__tables.sql")).toArray(String[]::new));
      pg.execute(SqlScript.statements(resource("V2__timestamptz.sql")).toArray(String[]::new));
      SessionToken token = SessionToken.generate();
      try (Connection c = pg.dataSource().getConnection();
          java.sql.PreparedStatement p = c.prepareStatement("INSERT INTO bulwark_authn_sessions VALUES (?, 's1', 'alice',"
              + " 'AAL1', ?, now(), now(), now(), 3600000000000, now() + interval '1 day', NULL, NULL)")) {
        p.setBytes(1, token.hash().bytes());
        p.setString(2, "PASSWORD=" + (T.getEpochSecond() * 1_000_000_000L) + "@AAL1");
        p.executeUpdate();
      }
      pg.execute("INSERT INTO bulwark_authn_session_users VALUES ('alice')");
      JdbcSessionStore store = new JdbcSessionStore(pg.dataSource());
      Session s = store.find(token.hash()).orElseThrow();
      assertEquals("s1", s.id());
      assertEquals(Set.of(), s.authorities());
      assertEquals("ARRAY", columnType(pg.dataSource(), "bulwark_authn_sessions.authorities"));
      assertEquals(1, store.deleteAll("alice").size());
    }
  }

  @Test
  void createSchemaFalse_onAnEmptySchema_createsNothingAndFails() throws Exception {
    try (PostgresSchema pg = PostgresSchema.create("authn_nocreate")) {
      DataSource ds = pg.dataSource();
      FakeClock clock = FakeClock.at(T);
      List<Runnable> builds = List.of(
          () -> JdbcAttemptStore.builder(ds, clock).createSchema(false).build(),
          () -> JdbcUsedTotpStepStore.builder(ds, clock).createSchema(false).build(),
          () -> JdbcSessionStore.builder(ds).createSchema(false).build(),
          () -> JdbcCredentialStore.builder(ds).createSchema(false).build(),
          () -> JdbcChallengeStore.builder(ds).createSchema(false).build(),
          () -> JdbcGrantStore.builder(ds).createSchema(false).build(),
          () -> JdbcTotpCredentialStore.builder(ds).createSchema(false).build(),
          () -> JdbcPendingTotpEnrollmentStore.builder(ds).createSchema(false).build());
      for (Runnable build : builds) {
        AuthnStoreException e = assertThrows(AuthnStoreException.class, build::run);
        assertTrue(e.getMessage().contains("db/migration/bulwark-authn/"), e.getMessage());
      }
      assertEquals(0, count(ds, "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"));
    }
  }

  @Test
  void createSchemaFalse_afterTheMigrations_worksForARoleWithoutCreate() throws Exception {
    try (PostgresSchema pg = PostgresSchema.create("authn_runtime")) {
      new JdbcAttemptStore(pg.dataSource(), FakeClock.at(T));
      DataSource app = pg.createRole("app");
      pg.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + pg.name() + " TO "
          + pg.name() + "_app");
      JdbcAttemptStore store = JdbcAttemptStore.builder(app, FakeClock.at(T)).createSchema(false).build();
      Attempts a = store.recordFailure("a:carol", T, T.plusSeconds(60), Long.MAX_VALUE);
      assertEquals(1, a.failures());
      assertEquals(Instant.parse("2026-03-01T10:15:30.123456Z"), a.lastFailureAt());
      // The default (createSchema true) for a role that may not create: nothing to apply, the check passes.
      assertEquals(1, new JdbcAttemptStore(app, FakeClock.at(T)).get("a:carol", T).failures());
    }
  }

  private static String resource(String file) throws Exception {
    try (InputStream in = JdbcAttemptStore.class.getResourceAsStream("/db/migration/bulwark-authn/" + file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String columnType(DataSource ds, String tableDotColumn) throws Exception {
    String[] tc = tableDotColumn.split("\\.");
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT data_type FROM information_schema.columns WHERE table_schema = "
            + "current_schema() AND table_name = '" + tc[0] + "' AND column_name = '" + tc[1] + "'")) {
      return rs.next() ? rs.getString(1) : "missing";
    }
  }

  private static long count(DataSource ds, String sql) throws Exception {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
