package dev.bulwark.samples.notes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Every scenario of {@link NotesAppTest}, with the app started by its {@code --postgres} flag: users,
 * notes, TOTP credentials, passkeys, sessions, lockout counters, lifecycle state and the audit log
 * live in PostgreSQL (127.0.0.1:5432, database {@code test}, or {@code -Dbulwark.pg.url}), each test
 * in a schema of its own. Tampering changes one byte of a stored audit event row. Fails, never
 * skips, when PostgreSQL is unreachable.
 */
class NotesAppPostgresIT extends NotesAppTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String baseUrl = System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
  private final String user = System.getProperty("bulwark.pg.user", "postgres");
  private String schema;

  @Override
  NotesApp.Options options(Path dataDir) throws Exception {
    byte[] suffix = new byte[6];
    RANDOM.nextBytes(suffix);
    schema = "it_samples_" + HexFormat.of().formatHex(suffix);
    try (Connection c = admin().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    String url = baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    return super.options(dataDir).withPostgres(url);
  }

  @Override
  boolean rateLimitsOnTestClock() {
    return false; // JdbcRateLimitStore decides on the database's clock
  }

  @Override
  void tamperAuditLog() throws Exception {
    try (Connection c = admin().getConnection();
        PreparedStatement p = c.prepareStatement("UPDATE " + schema + ".bulwark_audit_event"
            + " SET payload = set_byte(payload, 20, get_byte(payload, 20) # 1)"
            + " WHERE log_id = 'bulwark-notes' AND seq = 1")) {
      if (p.executeUpdate() != 1) {
        throw new IllegalStateException("no audit event 1 to tamper with in " + schema);
      }
    }
  }

  @Override
  @AfterEach
  void stop() {
    super.stop();
    if (schema != null) {
      try (Connection c = admin().getConnection(); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + schema + " CASCADE");
      } catch (SQLException e) {
        throw new IllegalStateException("could not drop " + schema, e);
      }
    }
  }

  private PGSimpleDataSource admin() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(baseUrl);
    ds.setUser(user);
    return ds;
  }

  private long rows(String table) throws SQLException {
    try (Connection c = admin().getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + "." + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void unauthenticatedCeremonyFlood_leavesNoRowsOnceThePurgeJobRuns() throws Exception {
    HttpClient http = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
    URI base = baseUri();
    String home = http.send(HttpRequest.newBuilder(base.resolve("/login")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("<meta name=\"csrf\" content=\"([^\"]+)\">").matcher(home);
    m.find();
    int flood = 300;
    for (int i = 0; i < flood; i++) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/webauthn/login/start"))
          .header("Content-Type", "application/json").header("X-CSRF-Token", m.group(1))
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
    }
    assertEquals(flood, rows("bulwark_authn_webauthn_ceremonies"));
    Map<String, Integer> early = service().purgeExpiredAuthnRows();
    assertEquals(0, early.get("challenges"), "live ceremonies are kept");
    advance(Duration.ofMinutes(30));
    Map<String, Integer> purged = service().purgeExpiredAuthnRows();
    assertEquals(flood, purged.get("challenges"));
    assertEquals(0, rows("bulwark_authn_webauthn_ceremonies"));
    assertEquals(java.util.Set.of("challenges", "attempts", "sessions", "totp_steps"),
        purged.keySet(), "every authn store with expiring rows is purged");
  }
}
