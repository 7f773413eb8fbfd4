package dev.bulwark.testkit.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.Lifecycle;
import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.PurgeRefusedException;
import dev.bulwark.lifecycle.PurgeRunner;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore;
import dev.bulwark.lifecycle.jdbc.MappingException;
import dev.bulwark.lifecycle.jdbc.TableMapping;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lifecycle store contract on PostgreSQL, against tables shaped like a host's own. */
class JdbcLifecycleStoreIT extends LifecycleStoreContract {

  static final String DDL =
      "CREATE TABLE items (id bigint PRIMARY KEY, owner_id text, tenant_id text, created_at timestamptz,"
          + " deleted_at timestamptz, purge_after timestamptz, delete_op uuid, body text);"
          + "CREATE INDEX items_purge ON items (purge_after) WHERE purge_after IS NOT NULL;"
          + "CREATE TABLE attachments (id text PRIMARY KEY, owner_id text, deleted_at timestamptz,"
          + " purge_after timestamptz)";

  static final TableMapping ITEMS = TableMapping.of(ITEM, "items").withSubject("owner_id").withTenant("tenant_id")
      .withEligibleAt("created_at").withOperation("delete_op");
  static final TableMapping ATTACHMENTS = TableMapping.of(ATTACHMENT, "attachments").withSubject("owner_id");

  private PostgresSchema db;
  private DataSource ds;

  @Override
  protected LifecycleStore createStore(FakeClock clock) throws SQLException {
    db = PostgresSchema.create("lifecycle");
    ds = db.dataSource();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute(DDL);
    }
    JdbcLifecycleStore.createSchema(ds);
    return JdbcLifecycleStore.create(ds, ITEMS, ATTACHMENTS);
  }

  @AfterEach
  void dropSchema() throws SQLException {
    db.close();
  }

  @Override
  protected void insert(RecordRef ref, Optional<String> subject, Optional<String> tenant) throws SQLException {
    String sql = ref.dataClass().equals(ITEM)
        ? "INSERT INTO items (id, owner_id, tenant_id, body) VALUES (CAST(? AS bigint), ?, ?, 'x')"
        : "INSERT INTO attachments (id, owner_id) VALUES (?, ?)";
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, ref.id());
      ps.setString(2, subject.orElse(null));
      if (ref.dataClass().equals(ITEM)) {
        ps.setString(3, tenant.orElse(null));
      }
      ps.executeUpdate();
    }
  }

  @Override
  protected void anonymiseInHost(List<RecordState> records, Optional<Connection> transaction) throws SQLException {
    String[] ids = records.stream().map(r -> r.ref().id()).toArray(String[]::new);
    // The batch's own connection: any other would wait for the batch's row locks.
    Connection c = transaction.orElseThrow(() -> new IllegalStateException("no batch connection handed over"));
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE items SET body = 'anonymised', owner_id = NULL WHERE id = ANY(CAST(? AS bigint[]))")) {
      ps.setArray(1, c.createArrayOf("text", ids));
      ps.executeUpdate();
    }
  }

  @Override
  protected String payload(RecordRef ref) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT body FROM items WHERE id = CAST(? AS bigint)")) {
      ps.setString(1, ref.id());
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  @Test
  void mapping_namingMissingColumns_isRejectedWithEveryProblem() throws Exception {
    TableMapping bad = TableMapping.of(ITEM, "items").withColumns("id", "removed_at", "purge_after")
        .withSubject("user_id");
    MappingException e = assertThrows(MappingException.class, () -> JdbcLifecycleStore.create(ds, bad));
    assertEquals(2, e.problems().size(), e.getMessage());
    assertTrue(e.getMessage().contains("removed_at"));
    assertTrue(e.getMessage().contains("user_id"));
  }

  @Test
  void mapping_ofMissingTable_orWrongType_isRejected() throws Exception {
    assertThrows(MappingException.class,
        () -> JdbcLifecycleStore.create(ds, TableMapping.of(DataClass.of("ghost"), "ghosts")));
    MappingException e = assertThrows(MappingException.class, () -> JdbcLifecycleStore.create(ds,
        TableMapping.of(ITEM, "items").withColumns("id", "deleted_at", "body")));
    assertTrue(e.getMessage().contains("must be timestamptz"), e.getMessage());
  }

  @Test
  void find_withIdThatDoesNotFitTheColumn_isEmpty() throws Exception {
    assertTrue(store.find(RecordRef.of(ITEM, "not-a-number")).isEmpty());
  }

  @Test
  void runner_refusesWhenClockIsFarAheadOfDatabase() throws Exception {
    clock.set(Instant.now().plus(Duration.ofDays(2)));
    Lifecycle l = Lifecycle.builder(store).policies(policies()).clock(clock).build();
    RecordRef r = newRecord(ITEM, "s", "t");
    l.softDelete(List.of(r), ALICE);
    PurgeRefusedException e = assertThrows(PurgeRefusedException.class, () -> PurgeRunner.builder(l).build().run());
    assertEquals(PurgeRefusedException.Rail.CLOCK_FAR_AHEAD, e.rail());
    assertTrue(store.find(r).isPresent());
  }
}
