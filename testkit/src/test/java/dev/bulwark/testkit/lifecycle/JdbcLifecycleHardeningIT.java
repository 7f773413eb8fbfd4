package dev.bulwark.testkit.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.DeletionEvidence;
import dev.bulwark.lifecycle.ErasureReport;
import dev.bulwark.lifecycle.LegalHoldException;
import dev.bulwark.lifecycle.Lifecycle;
import dev.bulwark.lifecycle.LifecycleEvent;
import dev.bulwark.lifecycle.OperationNotRestorableException;
import dev.bulwark.lifecycle.PurgeReport;
import dev.bulwark.lifecycle.PurgeRunner;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.RetentionPolicies;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore;
import dev.bulwark.lifecycle.jdbc.MappingException;
import dev.bulwark.lifecycle.jdbc.TableMapping;
import dev.bulwark.lifecycle.spi.ExpiryHandler;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.lifecycle.spi.SoftDeletion;
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
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Holds, erasure, rails and privileges of the JDBC store under the faults a host meets in production. */
class JdbcLifecycleHardeningIT {

  private static final DataClass ITEM = DataClass.of("item");
  private static final Attribution WHO = Attribution.of("operator", "IT");

  private PostgresSchema db;
  private DataSource ds;
  private FakeClock clock;

  @BeforeEach
  void setUp() throws SQLException {
    db = PostgresSchema.create("lchard");
    ds = db.dataSource();
    clock = FakeClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  @AfterEach
  void tearDown() throws SQLException {
    db.close();
  }

  private void sql(String... statements) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (String st : statements) {
        s.execute(st);
      }
    }
  }

  private long count(String query) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void itemsTable() throws SQLException {
    sql("CREATE TABLE items (id bigint PRIMARY KEY, owner text, tenant text, body text, deleted_at timestamptz,"
        + " purge_after timestamptz)");
    JdbcLifecycleStore.createSchema(ds);
  }

  private Lifecycle.Builder node(DataSource source, RetentionPolicy policy) {
    return Lifecycle.builder(JdbcLifecycleStore.create(source,
            TableMapping.of(policy.dataClass(), "items").withSubject("owner").withTenant("tenant")))
        .policies(RetentionPolicies.of(policy)).clock(clock);
  }

  private PurgeRunner runner(Lifecycle l) {
    return PurgeRunner.builder(l).checkStoreClock(false).maxGapSinceLastRun(Duration.ofDays(3650)).build();
  }

  /** Waits (bounded) until some other session waits for a lock; the test fails if none ever does. */
  private void awaitLockWaiter(String lockType) throws Exception {
    for (int i = 0; i < 3000; i++) {
      if (count("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = '" + lockType + "'") > 0) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no session ever waited for a " + lockType + " lock");
  }

  // ---------------------------------------------------------------- point 2

  @Test
  void holdPlacedFromAnotherNodeAfterTheLastErasureBatch_stopsKeyDestruction() throws Exception {
    itemsTable();
    sql("INSERT INTO items SELECT g, 'erin', 't', 'x', NULL, NULL FROM generate_series(1, 3) g");
    RetentionPolicy policy = RetentionPolicy.purgeAfter(ITEM, Period.ofDays(30));
    Lifecycle other = node(db.dataSource(), policy).build();
    List<String> shredded = Collections.synchronizedList(new ArrayList<>());
    int[] batches = {0};
    Lifecycle l = node(ds, policy).batchSize(1).listener(e -> {
      if (e.type() == LifecycleEvent.Type.RECORDS_PURGED && ++batches[0] == 3) {
        other.holdSubject("erin", "litigation", "legal", WHO);
      }
    }).keyShredder(s -> {
      shredded.add(s);
      return "tombstone";
    }).build();

    assertThrows(LegalHoldException.class, () -> l.erase("erin", Optional.of("t"), true, WHO));
    assertEquals(3, batches[0]);
    assertTrue(shredded.isEmpty(), "the hold placed before the key was destroyed must win");
    assertEquals(0, count("SELECT count(*) FROM bulwark_lifecycle_evidence WHERE kind = 'KEY_SHREDDED'"));
  }

  @Test
  void holdPlacedWhileTheKeyIsBeingDestroyed_waitsForThatStepToCommit() throws Exception {
    itemsTable();
    RetentionPolicy policy = RetentionPolicy.purgeAfter(ITEM, Period.ofDays(30));
    Lifecycle other = node(db.dataSource(), policy).build();
    CompletableFuture<?>[] hold = new CompletableFuture<?>[1];
    Lifecycle l = node(ds, policy).keyShredder(s -> {
      hold[0] = CompletableFuture.runAsync(() -> other.holdSubject("erin", "litigation", "legal", WHO));
      awaitLockWaiter("advisory");
      return "tombstone";
    }).build();
    ErasureReport r = l.erase("erin", Optional.empty(), true, WHO);
    hold[0].get(30, TimeUnit.SECONDS);
    assertEquals(Optional.of("tombstone"), r.keyShredReceipt());
    assertEquals(1, count("SELECT count(*) FROM bulwark_lifecycle_evidence WHERE kind = 'KEY_SHREDDED'"));
  }

  // ---------------------------------------------------------------- point 3

  @Test
  void holdPlacedDuringAnAnonymisingBatch_waitsForThatBatchOnly() throws Exception {
    itemsTable();
    sql("INSERT INTO items SELECT g, 'o', 't', 'x', NULL, now() - interval '1 day' FROM generate_series(1, 3) g");
    RetentionPolicy policy = RetentionPolicy.purgeAfter(ITEM, Period.ofDays(30))
        .withAction(RetentionPolicy.Action.ANONYMISE);
    Lifecycle other = node(db.dataSource(), policy).expiryHandler(new ExpiryHandler() {
      @Override
      public void anonymise(List<RecordState> records) {
        throw new AssertionError("not used");
      }
    }).build();
    CompletableFuture<?>[] hold = new CompletableFuture<?>[1];
    Lifecycle l = node(ds, policy).batchSize(1).expiryHandler(new ExpiryHandler() {
      @Override
      public void anonymise(List<RecordState> records, Optional<Connection> tx) throws Exception {
        String[] ids = records.stream().map(r -> r.ref().id()).toArray(String[]::new);
        try (PreparedStatement ps = tx.orElseThrow().prepareStatement(
            "UPDATE items SET body = 'anonymised', owner = NULL WHERE id = ANY(CAST(? AS bigint[]))")) {
          ps.setArray(1, tx.get().createArrayOf("text", ids));
          ps.executeUpdate();
        }
        if (hold[0] == null) {
          hold[0] = CompletableFuture.runAsync(() -> other.holdSubject("o", "litigation", "legal", WHO));
          awaitLockWaiter("advisory");
        }
      }
    }).build();
    PurgeReport report = runner(l).run(new PurgeRunner.Confirmation(WHO, 100));
    hold[0].get(30, TimeUnit.SECONDS);
    assertEquals(1L, report.counts().get(ITEM), "the batch in flight finishes; every later one sees the hold");
    assertEquals(1, count("SELECT count(*) FROM items WHERE body = 'anonymised'"));
    assertEquals(2, count("SELECT count(*) FROM items WHERE body = 'x' AND owner = 'o' AND purge_after IS NOT NULL"));
  }

  // ---------------------------------------------------------------- point 5

  @Test
  void firstRun_withTheDeadlinePointedAtCreatedAt_isRefused_andDeletesNothing() throws Exception {
    sql("CREATE TABLE items (id bigint PRIMARY KEY, created_at timestamptz, deleted_at timestamptz)",
        "INSERT INTO items SELECT g, now() - interval '400 days', NULL FROM generate_series(1, 8000) g");
    JdbcLifecycleStore.createSchema(ds);
    Lifecycle l = Lifecycle.builder(JdbcLifecycleStore.create(ds,
            TableMapping.of(ITEM, "items").withColumns("id", "deleted_at", "created_at")))
        .policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(ITEM, Period.ofDays(30)))).clock(clock).build();
    PurgeRunner runner = runner(l);
    assertTrue(runner.dryRun().guardWarning().startsWith("UNUSUAL_VOLUME"), runner.dryRun().guardWarning());
    dev.bulwark.lifecycle.PurgeRefusedException e =
        assertThrows(dev.bulwark.lifecycle.PurgeRefusedException.class, runner::run);
    assertTrue(e.getMessage().contains("8000 of the 8000 rows"), e.getMessage());
    assertEquals(8000, count("SELECT count(*) FROM items"));
  }

  // ---------------------------------------------------------------- point 6

  @Test
  void rowsThatCannotBeDeleted_areSetAsideWithEvidence_andTheRunPurgesTheRest() throws Exception {
    DataClass accounts = DataClass.of("accounts");
    DataClass events = DataClass.of("zz-events");
    sql("CREATE TABLE accounts (id bigint PRIMARY KEY, deleted_at timestamptz, purge_after timestamptz)",
        "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id))",
        "CREATE TABLE events (id bigint PRIMARY KEY, deleted_at timestamptz, purge_after timestamptz)",
        "INSERT INTO accounts SELECT g, now() - interval '40 days', now() - interval '10 days'"
            + " FROM generate_series(1, 20) g",
        "INSERT INTO invoices VALUES (1, 5)",
        "CREATE FUNCTION refuse_7() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " IF OLD.id = 7 THEN RAISE EXCEPTION 'account 7 is frozen by the host'; END IF; RETURN OLD; END $$",
        "CREATE TRIGGER accounts_refuse_7 BEFORE DELETE ON accounts FOR EACH ROW EXECUTE FUNCTION refuse_7()",
        "INSERT INTO events SELECT g, now() - interval '40 days', now() - interval '10 days'"
            + " FROM generate_series(1, 500) g");
    JdbcLifecycleStore.createSchema(ds);
    JdbcLifecycleStore store = JdbcLifecycleStore.create(ds, TableMapping.of(accounts, "accounts"),
        TableMapping.of(events, "events"));
    List<LifecycleEvent> seen = Collections.synchronizedList(new ArrayList<>());
    Lifecycle l = Lifecycle.builder(store).policies(RetentionPolicies.of(
            RetentionPolicy.purgeAfter(accounts, Period.ofDays(30)), RetentionPolicy.purgeAfter(events, Period.ofDays(30))))
        .clock(clock).batchSize(8).listener(seen::add).build();

    PurgeReport report = runner(l).run();

    assertEquals(18L, report.counts().get(accounts));
    assertEquals(500L, report.counts().get(events));
    assertEquals(2, count("SELECT count(*) FROM accounts"));
    assertEquals(2, count("SELECT count(*) FROM accounts WHERE id IN (5, 7)"));
    assertEquals(0, count("SELECT count(*) FROM events"));
    List<DeletionEvidence> failures = seen.stream().filter(e -> e.type() == LifecycleEvent.Type.PURGE_ROW_FAILED)
        .map(e -> e.evidence().orElseThrow()).toList();
    List<String> failedHashes = failures.stream().flatMap(e -> e.items().stream())
        .map(DeletionEvidence.Item::recordHash).toList();
    assertTrue(failedHashes.contains(DeletionEvidence.hashRecord(RecordRef.of(accounts, "5"))), failures.toString());
    assertTrue(failedHashes.contains(DeletionEvidence.hashRecord(RecordRef.of(accounts, "7"))), failures.toString());
    assertTrue(failures.stream().allMatch(e -> e.kind() == DeletionEvidence.Kind.PURGE_FAILED));
    assertTrue(store.pendingEvidence(10).isEmpty(), "failure evidence is delivered in the same run");
    assertEquals(0, count("SELECT count(*) FROM bulwark_lifecycle_evidence WHERE kind = 'PURGED'"
        + " AND position(decode('" + DeletionEvidence.hashRecord(RecordRef.of(accounts, "5")) + "', 'hex')"
        + " in record_hashes) > 0"), "no PURGED evidence names a row that is still there");

    // The next run retries them; once the host resolves the reference, they go.
    sql("DELETE FROM invoices", "DROP TRIGGER accounts_refuse_7 ON accounts");
    clock.advance(Duration.ofMinutes(1));
    assertEquals(2L, runner(l).run().counts().get(accounts));
  }

  // ---------------------------------------------------------------- point 9

  @Test
  void erasure_waitsForARowTheHostHasLocked_insteadOfReportingItHeld() throws Exception {
    itemsTable();
    sql("INSERT INTO items SELECT g, 'erin', 't', 'x', NULL, NULL FROM generate_series(1, 3) g");
    RetentionPolicy policy = RetentionPolicy.purgeAfter(ITEM, Period.ofDays(30));
    Lifecycle l = node(ds, policy).keyShredder(s -> "tombstone").build();
    try (Connection host = ds.getConnection()) {
      host.setAutoCommit(false);
      try (Statement s = host.createStatement()) {
        s.executeQuery("SELECT * FROM items WHERE id = 2 FOR UPDATE").close();
      }
      CompletableFuture<ErasureReport> erasure =
          CompletableFuture.supplyAsync(() -> {
            try {
              return l.erase("erin", Optional.of("t"), true, WHO);
            } catch (LegalHoldException e) {
              throw new IllegalStateException(e);
            }
          });
      awaitLockWaiter("transactionid");
      host.commit();
      ErasureReport r = erasure.get(30, TimeUnit.SECONDS);
      assertEquals(3, r.recordsErased());
      assertEquals(0, r.recordsRemaining());
      assertEquals(Optional.of("tombstone"), r.keyShredReceipt());
    }
    assertEquals(0, count("SELECT count(*) FROM items"));
  }

  @Test
  void erasureReport_findsTheEvidence_whateverSpellingOfTheSubject() throws Exception {
    sql("CREATE TABLE docs (id bigint PRIMARY KEY, subject uuid, deleted_at timestamptz, purge_after timestamptz)");
    JdbcLifecycleStore.createSchema(ds);
    UUID u = UUID.randomUUID();
    sql("INSERT INTO docs VALUES (1, '" + u + "', NULL, NULL), (2, '" + u + "', NULL, NULL), (3, '"
        + UUID.randomUUID() + "', NULL, NULL)");
    DataClass docs = DataClass.of("doc");
    Lifecycle l = Lifecycle.builder(JdbcLifecycleStore.create(ds, TableMapping.of(docs, "docs").withSubject("subject")))
        .policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(docs, Period.ofDays(30)))).clock(clock)
        .keyShredder(s -> "tombstone-" + s).build();

    ErasureReport erased = l.erase(u.toString().toUpperCase(java.util.Locale.ROOT), Optional.empty(), true, WHO);
    assertEquals(2, erased.recordsErased());
    for (String spelling : List.of(u.toString(), u.toString().toUpperCase(java.util.Locale.ROOT), "{" + u + "}",
        u.toString().replace("-", ""))) {
      ErasureReport r = l.erasureReport(spelling);
      assertEquals(2, r.recordsErased(), spelling);
      assertEquals(0, r.recordsRemaining(), spelling);
      assertEquals(Optional.of("tombstone-" + u), r.keyShredReceipt(), spelling);
      assertEquals(DeletionEvidence.hashSubject(u.toString()), r.subjectHash(), spelling);
    }
    assertEquals(1, count("SELECT count(*) FROM docs"));

    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> l.erase("not-a-uuid", Optional.empty(), true, WHO));
    assertTrue(refused.getMessage().contains("not a valid value"), refused.getMessage());
    assertEquals(1, count("SELECT count(*) FROM docs"));
  }

  @Test
  void restore_withoutAnOperationColumn_neverRestoresAnotherOperationsDelete_inTheSameTick() throws Exception {
    DataClass files = DataClass.of("file");
    sql("CREATE TABLE files (id text PRIMARY KEY, deleted_at timestamptz, purge_after timestamptz)",
        "INSERT INTO files VALUES ('f1', NULL, NULL)");
    JdbcLifecycleStore.createSchema(ds);
    Lifecycle l = Lifecycle.builder(JdbcLifecycleStore.create(ds, TableMapping.of(files, "files")))
        .policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(files, Period.ofDays(30)))).clock(clock).build();
    RecordRef f1 = RecordRef.of(files, "f1");
    SoftDeletion first = l.softDelete(List.of(f1), WHO);
    // The host replaces the row (same id) and deletes the new one in the same clock tick.
    sql("DELETE FROM files", "INSERT INTO files VALUES ('f1', NULL, NULL)");
    SoftDeletion second = l.softDelete(List.of(f1), Attribution.of("bob", "his own delete"));

    assertThrows(OperationNotRestorableException.class, () -> l.restore(first.id(), WHO));
    assertEquals(1, count("SELECT count(*) FROM files WHERE deleted_at IS NOT NULL"));
    l.restore(second.id(), WHO);
    assertEquals(1, count("SELECT count(*) FROM files WHERE deleted_at IS NULL"));
  }

  // ---------------------------------------------------------------- point 10

  @Test
  void create_onASchemaWithoutTheLifecycleTables_isRefused_andCreatesNothing() throws Exception {
    sql("CREATE TABLE items (id bigint PRIMARY KEY, deleted_at timestamptz, purge_after timestamptz)");
    MappingException e = assertThrows(MappingException.class,
        () -> JdbcLifecycleStore.create(ds, TableMapping.of(ITEM, "items")));
    assertTrue(e.getMessage().contains("createSchema") && e.getMessage().contains("lifecycle init"), e.getMessage());
    assertEquals(0, count("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
        + " AND table_name LIKE 'bulwark_lifecycle%'"));
    JdbcLifecycleStore.createSchema(ds);
    JdbcLifecycleStore.createSchema(ds);
    JdbcLifecycleStore.create(ds, TableMapping.of(ITEM, "items"));
  }

  @Test
  void builderWithoutCreateSchema_onlyChecks_andTheDefaultAppliesThePublishedMigrations() throws Exception {
    sql("CREATE TABLE items (id bigint PRIMARY KEY, deleted_at timestamptz, purge_after timestamptz)");
    MappingException e = assertThrows(MappingException.class, () -> JdbcLifecycleStore.builder(ds)
        .mapping(TableMapping.of(ITEM, "items")).createSchema(false).build());
    assertTrue(e.getMessage().contains("db/migration/bulwark-lifecycle/"), e.getMessage());
    assertEquals(0, count("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
        + " AND table_name LIKE 'bulwark_lifecycle%'"));
    JdbcLifecycleStore.builder(ds).mapping(TableMapping.of(ITEM, "items")).build();
    assertEquals(JdbcLifecycleStore.tableNames().size(), count("SELECT count(*) FROM information_schema.tables"
        + " WHERE table_schema = current_schema() AND table_name LIKE 'bulwark_lifecycle%'"));
    assertEquals(0, count("SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema()"
        + " AND table_name LIKE 'bulwark_lifecycle%' AND (column_name LIKE '%_at' OR column_name = 'at')"
        + " AND data_type <> 'timestamp with time zone'"), "every time column is timestamptz");
    JdbcLifecycleStore.builder(ds).mapping(TableMapping.of(ITEM, "items")).createSchema(false).build();
  }

  @Test
  void createAndDryRun_takeNoLockAReaderWaitsOn() throws Exception {
    itemsTable();
    sql("INSERT INTO items SELECT g, 'o', 't', 'x', now(), now() - interval '1 day' FROM generate_series(1, 5) g");
    PGSimpleDataSource impatient = new PGSimpleDataSource();
    impatient.setUrl(System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"));
    impatient.setUser(System.getProperty("bulwark.pg.user", "postgres"));
    impatient.setCurrentSchema(db.name());
    impatient.setOptions("-c lock_timeout=2000");
    try (Connection reader = ds.getConnection()) {
      // A reader inside a long transaction on every lifecycle table.
      reader.setAutoCommit(false);
      try (Statement s = reader.createStatement()) {
        for (String t : JdbcLifecycleStore.tableNames()) {
          s.executeQuery("SELECT count(*) FROM " + t).close();
        }
        s.executeQuery("SELECT count(*) FROM items").close();
      }
      Lifecycle l = node(impatient, RetentionPolicy.purgeAfter(ITEM, Period.ofDays(30))).build();
      PurgeReport dry = runner(l).dryRun();
      assertEquals(5L, dry.counts().get(ITEM));
      reader.rollback();
    }
  }

  @Test
  void reservedWordsQuoted_work_endToEnd() throws Exception {
    sql("CREATE TABLE \"order\" (id bigint PRIMARY KEY, \"user\" text, deleted_at timestamptz,"
        + " purge_after timestamptz)", "INSERT INTO \"order\" VALUES (1, 'u1', NULL, NULL), (2, 'u2', NULL, NULL)");
    JdbcLifecycleStore.createSchema(ds);
    DataClass orders = DataClass.of("order");
    Lifecycle l = Lifecycle.builder(JdbcLifecycleStore.create(ds,
            TableMapping.of(orders, "\"order\"").withSubject("\"user\"")))
        .policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(orders, Period.ofDays(30)))).clock(clock).build();
    l.softDelete(List.of(RecordRef.of(orders, "1"), RecordRef.of(orders, "2")), WHO);
    l.holdSubject("u2", "case", "legal", WHO);
    clock.advance(Duration.ofDays(31));
    assertEquals(1L, runner(l).run().counts().get(orders));
    assertEquals(1, count("SELECT count(*) FROM \"order\" WHERE \"user\" = 'u2'"));
  }

  /** The runtime grants documented in the lifecycle README, for a role that owns nothing. */
  static String runtimeGrants(String schema, String role) {
    return String.join(";\n",
        "GRANT USAGE ON SCHEMA " + schema + " TO " + role,
        "GRANT SELECT, INSERT ON bulwark_lifecycle_operations, bulwark_lifecycle_operation_records,"
            + " bulwark_lifecycle_holds, bulwark_lifecycle_hold_targets, bulwark_lifecycle_evidence,"
            + " bulwark_lifecycle_watermark, bulwark_lifecycle_set_aside TO " + role,
        "GRANT UPDATE (restored_by, restored_reason, restored_at) ON bulwark_lifecycle_operations TO " + role,
        "GRANT UPDATE (released_by, released_reason, released_at) ON bulwark_lifecycle_holds TO " + role,
        "GRANT UPDATE (delivered) ON bulwark_lifecycle_evidence TO " + role,
        "GRANT UPDATE (last_run_started_at, last_completed_rows) ON bulwark_lifecycle_watermark TO " + role,
        "GRANT USAGE ON SEQUENCE bulwark_lifecycle_evidence_seq_seq, bulwark_lifecycle_operations_seq_seq TO " + role);
  }

  @Test
  void runtimeRole_withTheDocumentedGrants_runsEverything_butCannotDestroyEvidenceOrHolds() throws Exception {
    itemsTable();
    sql("INSERT INTO items SELECT g, CASE WHEN g <= 3 THEN 'erin' ELSE 'u' || g END, 't', 'x', NULL, NULL"
        + " FROM generate_series(1, 10) g");
    String role = "it_lc_rt_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    sql("CREATE ROLE " + role + " LOGIN");
    try {
      sql(runtimeGrants(db.name(), role),
          "GRANT SELECT, DELETE, UPDATE (deleted_at, purge_after) ON items TO " + role);
      PGSimpleDataSource runtime = new PGSimpleDataSource();
      runtime.setUrl(System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"));
      runtime.setUser(role);
      runtime.setCurrentSchema(db.name());
      List<String> shredded = new ArrayList<>();
      Lifecycle l = node(runtime, RetentionPolicy.purgeAfter(ITEM, Period.ofDays(30))).keyShredder(s -> {
        shredded.add(s);
        return "k";
      }).build();
      SoftDeletion op = l.softDelete(List.of(RecordRef.of(ITEM, "4"), RecordRef.of(ITEM, "5")), WHO);
      l.restore(op.id(), WHO);
      l.softDelete(List.of(RecordRef.of(ITEM, "4"), RecordRef.of(ITEM, "5"), RecordRef.of(ITEM, "6")), WHO);
      var hold = l.holdRecord(RecordRef.of(ITEM, "6"), "case", "legal", WHO);
      l.holdSubject("u5", "case", "legal", WHO);
      l.releaseHold(hold.id(), WHO);
      assertEquals(3, l.erase("erin", Optional.of("t"), true, WHO).recordsErased());
      clock.advance(Duration.ofDays(31));
      PurgeRunner runner = runner(l);
      assertEquals(2L, runner.dryRun().counts().get(ITEM));
      assertEquals(2L, runner.run().counts().get(ITEM));
      runner.resetWatermark(WHO);
      assertEquals(List.of("erin"), shredded);

      try (Connection c = runtime.getConnection(); Statement s = c.createStatement()) {
        for (String attack : List.of("DROP TABLE bulwark_lifecycle_evidence", "TRUNCATE bulwark_lifecycle_evidence",
            "DELETE FROM bulwark_lifecycle_evidence", "UPDATE bulwark_lifecycle_evidence SET record_hashes = ''",
            "DROP TABLE bulwark_lifecycle_holds", "TRUNCATE bulwark_lifecycle_holds", "DELETE FROM bulwark_lifecycle_holds",
            "UPDATE bulwark_lifecycle_holds SET target = 'nobody'", "DELETE FROM bulwark_lifecycle_hold_targets",
            "UPDATE bulwark_lifecycle_hold_targets SET target = NULL", "ALTER TABLE bulwark_lifecycle_holds DISABLE"
                + " ROW LEVEL SECURITY")) {
          SQLException e = assertThrows(SQLException.class, () -> s.execute(attack), attack);
          assertTrue("42501".equals(e.getSQLState()) || "42P01".equals(e.getSQLState()), attack + ": " + e.getSQLState());
        }
      }
      assertTrue(count("SELECT count(*) FROM bulwark_lifecycle_evidence") >= 3);
      assertFalse(count("SELECT count(*) FROM bulwark_lifecycle_holds") < 2);
    } finally {
      db.close();
      sql0("DROP OWNED BY " + role, "DROP ROLE " + role);
    }
  }

  private void sql0(String... statements) throws SQLException {
    PGSimpleDataSource admin = new PGSimpleDataSource();
    admin.setUrl(System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"));
    admin.setUser(System.getProperty("bulwark.pg.user", "postgres"));
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      for (String st : statements) {
        s.execute(st);
      }
    }
  }
}
