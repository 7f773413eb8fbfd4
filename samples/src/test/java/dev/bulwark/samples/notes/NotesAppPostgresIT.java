package dev.bulwark.samples.notes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authz.jdbc.RlsVerifier;
import dev.bulwark.authz.jdbc.TenantDataSource;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import dev.bulwark.testing.pg.TestPool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every scenario of {@link NotesAppTest}, with the app started by its {@code --postgres} flag: users,
 * notes, TOTP credentials, passkeys, sessions, lockout counters, lifecycle state and the audit log
 * live in PostgreSQL (a throw-away schema of bulwark-testing's {@link PostgresSchema}), with the
 * deployment's two roles: the test's superuser as the owner that runs the migration, and an
 * application role of the schema's own ({@code <schema>_app}, created by the migration) that runs
 * every query. Plus row-level security on the notes table: what another organization cannot reach
 * through the app, directly through the application role's connection, and the refusal to start
 * when that role could bypass it. Tampering changes one byte of a stored audit event row. Fails,
 * never skips, when PostgreSQL is unreachable.
 */
class NotesAppPostgresIT extends NotesAppTest {

  private static final String PASSWORD = "correct horse battery staple";

  private PostgresSchema pg;

  @Override
  NotesApp.Options options(Path dataDir) throws Exception {
    pg = PostgresSchema.create("samples");
    return super.options(dataDir).withPostgres(url(pg)).withApplicationRole(appRole(pg))
        .withOwnerRole(Optional.of(pg.user()));
  }

  private static String url(PostgresSchema schema) {
    return schema.url() + (schema.url().contains("?") ? "&" : "?") + "currentSchema=" + schema.name();
  }

  private static String appRole(PostgresSchema schema) {
    return schema.name() + "_app";
  }

  @Override
  boolean rateLimitsOnTestClock() {
    return false; // JdbcRateLimitStore decides on the database's clock
  }

  @Override
  void tamperAuditLog() throws Exception {
    try (Connection c = pg.dataSource().getConnection();
        PreparedStatement p = c.prepareStatement("UPDATE bulwark_audit_event"
            + " SET payload = set_byte(payload, 20, get_byte(payload, 20) # 1)"
            + " WHERE log_id = 'bulwark-notes' AND seq = 1")) {
      if (p.executeUpdate() != 1) {
        throw new IllegalStateException("no audit event 1 to tamper with in " + pg.name());
      }
    }
  }

  @Override
  @AfterEach
  void stop() {
    super.stop();
    if (pg != null) {
      try {
        pg.close();
      } catch (SQLException e) {
        throw new IllegalStateException("could not drop " + pg.name(), e);
      }
    }
  }

  private long rows(String table) throws SQLException {
    return count(pg.dataSource(), "SELECT count(*) FROM " + table);
  }

  private static long count(DataSource ds, String sql, String... args) throws SQLException {
    try (Connection c = ds.getConnection()) {
      return count(c, sql, args);
    }
  }

  private static long count(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        p.setString(i + 1, args[i]);
      }
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private String ciphertext(String noteId) throws SQLException {
    try (Connection c = pg.dataSource().getConnection();
        PreparedStatement p = c.prepareStatement("SELECT ciphertext FROM sample_notes WHERE id = ?")) {
      p.setString(1, noteId);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static SQLException refusedByRowLevelSecurity(TenantDataSource.UnitOfWork<?> work, TenantDataSource tenants,
      String org) {
    SQLException e = assertThrows(SQLException.class, () -> tenants.inTenant(org, work));
    assertEquals("42501", e.getSQLState(), e.getMessage());
    assertTrue(e.getMessage().contains("row-level security"), e.getMessage());
    return e;
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
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/bulwark/webauthn/authenticate/options"))
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

  @Test
  void theDeploymentShape_notesTableOwnedByTheOwner_applicationRoleCannotBypass() throws Exception {
    try (Connection c = pg.dataSource().getConnection();
        PreparedStatement p = c.prepareStatement("SELECT pg_get_userbyid(c.relowner), c.relrowsecurity,"
            + " c.relforcerowsecurity, r.rolsuper, r.rolbypassrls FROM pg_class c, pg_roles r"
            + " WHERE c.oid = to_regclass('sample_notes') AND r.rolname = ?")) {
      p.setString(1, appRole(pg));
      try (ResultSet rs = p.executeQuery()) {
        assertTrue(rs.next(), "sample_notes and the application role exist");
        assertEquals(pg.user(), rs.getString(1), "the owner role owns the tenant table");
        assertTrue(rs.getBoolean(2) && rs.getBoolean(3), "row-level security enabled and forced");
        assertTrue(!rs.getBoolean(4) && !rs.getBoolean(5), "the application role is neither superuser nor BYPASSRLS");
      }
    }
    assertEquals(List.of(), RlsVerifier.verify(pg.as(appRole(pg)), JdbcAppStore.TENANT_TABLES));
  }

  @Test
  void anotherOrganization_cannotReadEditShareDeleteOrRestoreANote_evenWithItsId() throws Exception {
    NotesService service = service();
    service.register("olivia", PASSWORD, PASSWORD, "192.0.2.1");
    service.register("quinn", PASSWORD, PASSWORD, "192.0.2.2");
    AppStore.User olivia = service.userByNameForTests("olivia").orElseThrow();
    AppStore.User quinn = service.userByNameForTests("quinn").orElseThrow();
    service.createNote(olivia, "olivia's plan");
    service.createNote(olivia, "olivia's second plan");
    List<String> oliviaNotes = service.notes(olivia).stream().map(NotesService.NoteView::id).toList();
    String noteId = oliviaNotes.get(0);
    String trashed = oliviaNotes.get(1);
    service.deleteNote(olivia, trashed);
    String before = ciphertext(noteId);

    assertThrows(UserError.class, () -> service.readNote(quinn, noteId));
    assertThrows(UserError.class, () -> service.editNote(quinn, noteId, "defaced"));
    assertThrows(UserError.class, () -> service.shareNote(quinn, noteId, "quinn", "editor"));
    assertThrows(UserError.class, () -> service.deleteNote(quinn, noteId));
    assertThrows(UserError.class, () -> service.restoreNote(quinn, trashed));
    assertTrue(!service.mayEdit(quinn, noteId), "no edit button either");
    assertTrue(service.notes(quinn).isEmpty() && service.sharedWith(quinn).isEmpty());

    assertEquals(before, ciphertext(noteId), "the note is unchanged");
    // Invited into olivia's organization as a plain member, quinn now reaches its rows (row-level
    // security is the organization's boundary), and authz's roles still keep the note closed.
    service.inviteToOrganization(olivia, NotesService.homeOrganization(olivia.id()), "quinn");
    assertThrows(UserError.class, () -> service.readNote(quinn, noteId));
    assertThrows(UserError.class, () -> service.editNote(quinn, noteId, "defaced"));
    assertThrows(UserError.class, () -> service.deleteNote(quinn, noteId));
    service.shareNote(olivia, noteId, "quinn", "viewer");
    assertEquals("olivia's plan", service.readNote(quinn, noteId).text());
    assertEquals(before, ciphertext(noteId), "the note is unchanged");
    assertEquals("olivia's plan", service.readNote(olivia, noteId).text());
    assertEquals(0, count(pg.dataSource(), "SELECT count(*) FROM sample_note_lifecycle WHERE id = ? AND deleted_at"
        + " IS NOT NULL", noteId), "not deleted");
    assertEquals(1, count(pg.dataSource(), "SELECT count(*) FROM sample_note_lifecycle WHERE id = ? AND deleted_at"
        + " IS NOT NULL", trashed), "still in the trash");
    service.restoreNote(olivia, trashed);
  }

  @Test
  void throughTheApplicationRole_anotherOrganizationsRowsAreInvisible_andWritesIntoItAreRefused() throws Exception {
    NotesService service = service();
    service.register("alba", PASSWORD, PASSWORD, "192.0.2.1");
    service.register("bruno", PASSWORD, PASSWORD, "192.0.2.2");
    AppStore.User alba = service.userByNameForTests("alba").orElseThrow();
    AppStore.User bruno = service.userByNameForTests("bruno").orElseThrow();
    service.createNote(alba, "a1");
    service.createNote(alba, "a2");
    service.createNote(bruno, "b1");
    String orgA = NotesService.homeOrganization(alba.id());
    String orgB = NotesService.homeOrganization(bruno.id());
    String noteA = service.notes(alba).get(0).id();
    String noteB = service.notes(bruno).get(0).id();
    String noteAText = service.readNote(alba, noteA).text();
    String noteACiphertext = ciphertext(noteA);
    assertEquals(3, rows("sample_notes"));

    try (TestPool app = TestPool.of(pg.as(appRole(pg)), 1)) {
      TenantDataSource tenants = new TenantDataSource(app);
      // Organization B set: only B's row, whatever the WHERE clause asks for.
      assertEquals(List.of(noteB), tenants.inTenant(orgB, c -> ids(c, "SELECT id FROM sample_notes")));
      assertEquals(List.of(), tenants.inTenant(orgB, c -> ids(c, "SELECT id FROM sample_notes WHERE org_id = '"
          + orgA + "'")));
      assertEquals(0, (int) tenants.inTenant(orgB, c -> update(c, "UPDATE sample_notes SET ciphertext = 'x' WHERE id = ?",
          noteA)));
      assertEquals(0, (int) tenants.inTenant(orgB, c -> update(c, "DELETE FROM sample_notes WHERE id = ?", noteA)));
      assertEquals(0, (int) tenants.inTenant(orgB, c -> update(c, "DELETE FROM sample_notes WHERE org_id <> ?", orgB)));
      // WITH CHECK: a row written into organization A from B is refused, inserted or moved.
      refusedByRowLevelSecurity(c -> {
        update(c, "INSERT INTO sample_note_lifecycle (id, owner_id, created_at) VALUES ('forged', 'x', now())");
        return update(c, "INSERT INTO sample_notes (id, org_id, owner_id, ciphertext, created_at)"
            + " VALUES ('forged', ?, 'x', 'x', now())", orgA);
      }, tenants, orgB);
      refusedByRowLevelSecurity(c -> update(c, "UPDATE sample_notes SET org_id = ? WHERE id = ?", orgA, noteB),
          tenants, orgB);
      assertEquals(List.of(noteB), tenants.inTenant(orgB, c -> ids(c, "SELECT id FROM sample_notes WHERE org_id = ?",
          orgB)), "B's row did not move");

      // No organization set (the same pooled connection, after the units above): no rows at all,
      // and nothing can be written.
      try (Connection c = app.getConnection()) {
        assertEquals(0, count(c, "SELECT count(*) FROM sample_notes"));
        assertEquals(0, update(c, "UPDATE sample_notes SET ciphertext = 'x'"));
        assertEquals(0, update(c, "DELETE FROM sample_notes"));
        SQLException insert = assertThrows(SQLException.class, () -> update(c, "INSERT INTO sample_notes"
            + " (id, org_id, owner_id, ciphertext, created_at) VALUES (?, ?, 'x', 'x', now())", noteA + "-copy", orgA));
        assertEquals("42501", insert.getSQLState(), insert.getMessage());
      }
      // Nor can the application role switch the protection off: it owns nothing of the sample's.
      try (Connection c = app.getConnection(); Statement s = c.createStatement()) {
        SQLException off = assertThrows(SQLException.class, () -> s.execute(
            "ALTER TABLE sample_notes NO FORCE ROW LEVEL SECURITY"));
        assertEquals("42501", off.getSQLState(), off.getMessage());
      }
    }
    assertEquals(3, rows("sample_notes"), "nothing was deleted or added");
    assertEquals(2, count(pg.dataSource(), "SELECT count(*) FROM sample_notes WHERE org_id = ?", orgA));
    assertEquals(noteACiphertext, ciphertext(noteA));
    assertEquals(noteAText, service.readNote(alba, noteA).text());
  }

  @Test
  void aPurgedNote_takesItsCiphertextWithIt_acrossOrganizations() throws Exception {
    NotesService service = service();
    service.register("cora", PASSWORD, PASSWORD, "192.0.2.1");
    AppStore.User cora = service.userByNameForTests("cora").orElseThrow();
    service.createNote(cora, "to be purged");
    String noteId = service.notes(cora).get(0).id();
    service.deleteNote(cora, noteId);
    // The purge refuses to run on a clock far from the database's, so the test's clock is moved
    // to the database's time and the note's deadline into the past there.
    Instant dbNow;
    try (Connection c = pg.dataSource().getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
      rs.next();
      dbNow = rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
    }
    advance(Duration.between(now(), dbNow));
    try (Connection c = pg.dataSource().getConnection();
        PreparedStatement p = c.prepareStatement("UPDATE sample_note_lifecycle SET deleted_at = ?,"
            + " purge_after = ? WHERE id = ?")) {
      p.setObject(1, dbNow.minus(Duration.ofDays(31)).atOffset(java.time.ZoneOffset.UTC));
      p.setObject(2, dbNow.minus(Duration.ofDays(1)).atOffset(java.time.ZoneOffset.UTC));
      p.setString(3, noteId);
      assertEquals(1, p.executeUpdate());
    }
    var outcome = service.runPurgeNow(cora);
    assertTrue(outcome.error().isEmpty(), outcome.toString());
    assertEquals(0, count(pg.dataSource(), "SELECT count(*) FROM sample_notes WHERE id = ?", noteId),
        "the ciphertext went with the lifecycle row");
    assertEquals(0, count(pg.dataSource(), "SELECT count(*) FROM sample_note_lifecycle WHERE id = ?", noteId));
  }

  @Test
  void refusesToStart_whenTheApplicationRoleCanBypassRowLevelSecurity(@TempDir Path other) throws Exception {
    closeApp(); // one instance per schema at a time: the starts below share its audit log
    NotesApp.Options running = options0();
    // The owner as the application role: the test's superuser owns the tables.
    RlsVerifier.RlsBypassException asOwner = startRefused(RlsVerifier.RlsBypassException.class,
        () -> NotesApp.start(running.withDataDir(other.resolve("1")).withApplicationRole(pg.user()), clock()));
    assertTrue(kinds(asOwner).containsAll(Set.of(RlsVerifier.Kind.OWNS_TABLE, RlsVerifier.Kind.SUPERUSER)),
        asOwner.getMessage());

    // FORCE removed behind the app's back, and a deployment that runs its migration itself (no
    // owner role here): the verifier sees it. With the owner role, the migration puts it back.
    pg.execute("ALTER TABLE sample_notes NO FORCE ROW LEVEL SECURITY");
    NotesApp.Options verifyOnly = running.withOwnerRole(Optional.empty());
    RlsVerifier.RlsBypassException notForced = startRefused(RlsVerifier.RlsBypassException.class,
        () -> NotesApp.start(verifyOnly.withDataDir(other.resolve("2")), clock()));
    assertEquals(Set.of(RlsVerifier.Kind.RLS_NOT_FORCED), kinds(notForced), notForced.getMessage());

    // The application role given BYPASSRLS.
    pg.execute("ALTER TABLE sample_notes FORCE ROW LEVEL SECURITY", "ALTER ROLE " + appRole(pg) + " BYPASSRLS");
    RlsVerifier.RlsBypassException bypass = startRefused(RlsVerifier.RlsBypassException.class,
        () -> NotesApp.start(verifyOnly.withDataDir(other.resolve("3")), clock()));
    assertEquals(Set.of(RlsVerifier.Kind.BYPASSRLS), kinds(bypass), bypass.getMessage());
    pg.execute("ALTER ROLE " + appRole(pg) + " NOBYPASSRLS");

    // Put right, the verify-only start succeeds (on the first instance's data directory: its
    // checkpoint key signed the audit log in this schema).
    try (NotesApp ok = NotesApp.start(verifyOnly.withDataDir(data), clock())) {
      assertTrue(ok.baseUri().toString().startsWith("http://localhost:"));
    }
  }

  @Test
  void refusesToStart_whenANonSuperuserOwnerIsAlsoTheApplicationRole(@TempDir Path other) throws Exception {
    try (PostgresSchema second = PostgresSchema.create("samples")) {
      String owner = second.name() + "_owner";
      second.createRole("owner");
      second.execute("GRANT CREATE ON SCHEMA " + second.name() + " TO " + owner);
      NotesApp.Options sameRole = NotesApp.Options.defaults().withPort(0).withDataDir(other).withPostgres(url(second))
          .withApplicationRole(owner).withOwnerRole(Optional.of(owner));
      RlsVerifier.RlsBypassException e = startRefused(RlsVerifier.RlsBypassException.class,
          () -> NotesApp.start(sameRole, clock()));
      assertEquals(Set.of(RlsVerifier.Kind.OWNS_TABLE), kinds(e), e.getMessage());
    }
  }

  /**
   * The start-up failure {@code start} ends in: Spring Boot reports the refusal of the DataSource
   * bean (the application role could bypass row-level security) wrapped in its bean-creation
   * exceptions, so the cause of type {@code type} is looked for along the chain.
   */
  private static <T extends Throwable> T startRefused(Class<T> type, org.junit.jupiter.api.function.Executable start) {
    Throwable failure = assertThrows(Throwable.class, start);
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    throw new AssertionError("the start failed, but not with " + type.getSimpleName(), failure);
  }

  private NotesApp.Options options0() throws Exception {
    return NotesApp.Options.defaults().withPort(0).withPostgres(url(pg)).withApplicationRole(appRole(pg))
        .withOwnerRole(Optional.of(pg.user()));
  }

  private static FakeClock clock() {
    return FakeClock.at(Instant.parse("2026-11-22T10:00:00Z"));
  }

  private static Set<RlsVerifier.Kind> kinds(RlsVerifier.RlsBypassException e) {
    return e.findings().stream().map(RlsVerifier.Finding::kind).collect(Collectors.toSet());
  }

  private static List<String> ids(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        p.setString(i + 1, args[i]);
      }
      List<String> out = new java.util.ArrayList<>();
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  private static int update(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        p.setString(i + 1, args[i]);
      }
      return p.executeUpdate();
    }
  }
}
