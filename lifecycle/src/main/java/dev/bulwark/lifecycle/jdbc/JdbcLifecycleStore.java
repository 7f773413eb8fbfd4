package dev.bulwark.lifecycle.jdbc;

import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.DeletionEvidence;
import dev.bulwark.lifecycle.LegalHold;
import dev.bulwark.lifecycle.LifecycleException;
import dev.bulwark.lifecycle.OperationId;
import dev.bulwark.lifecycle.OperationNotRestorableException;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.UnknownDataClassException;
import dev.bulwark.lifecycle.UnknownOperationException;
import dev.bulwark.lifecycle.UnknownRecordException;
import dev.bulwark.lifecycle.internal.Evidence;
import dev.bulwark.lifecycle.spi.LifecycleStore;
import dev.bulwark.lifecycle.spi.PurgeBatchRequest;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.lifecycle.spi.SoftDeletion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A {@link LifecycleStore} on PostgreSQL that works on the host's own tables through
 * {@link TableMapping}s, and keeps its own state (operations, holds, evidence, watermark) in
 * tables named {@code bulwark_lifecycle_*} in the connection's current schema, created if missing.
 *
 * <p>Purge batches lock their rows with {@code FOR UPDATE SKIP LOCKED}, so purgers on several
 * nodes share the work without doing any row twice. Each batch first takes a shared
 * transaction-level advisory lock that hold placement takes exclusively: a hold placed while a
 * batch runs waits for that batch to commit, and every later batch sees the hold when it checks
 * holds inside its own transaction. A batch's deletion and its evidence commit together.
 *
 * <p>Built with {@link #create}, which checks every mapping against {@code information_schema}
 * and throws {@link MappingException} listing every missing table or column. Thread-safe; uses
 * only standard JDBC and PostgreSQL SQL; depends on no driver.
 */
public final class JdbcLifecycleStore implements LifecycleStore {

  /** Advisory lock key shared by hold placement (exclusive) and purge batches (shared). */
  static final long HOLD_LOCK = 0x6c69666563796c65L;
  private static final long SCHEMA_LOCK = 0x6c69666563796c66L;
  private static final String JOB = "purge";

  private static final String[] SCHEMA = {
    "CREATE TABLE IF NOT EXISTS bulwark_lifecycle_operations (op_id uuid PRIMARY KEY, actor text NOT NULL,"
        + " reason text NOT NULL, deleted_at timestamptz NOT NULL, restored_by text, restored_reason text,"
        + " restored_at timestamptz)",
    "CREATE TABLE IF NOT EXISTS bulwark_lifecycle_operation_records (op_id uuid NOT NULL"
        + " REFERENCES bulwark_lifecycle_operations (op_id), seq int NOT NULL, data_class text NOT NULL,"
        + " record_id text NOT NULL, purge_after timestamptz NOT NULL, prior_purge_after timestamptz,"
        + " PRIMARY KEY (op_id, seq))",
    "CREATE TABLE IF NOT EXISTS bulwark_lifecycle_holds (hold_id uuid PRIMARY KEY, scope text NOT NULL,"
        + " target text NOT NULL, data_class text, reason text NOT NULL, owner text NOT NULL,"
        + " placed_by text NOT NULL, placed_reason text NOT NULL, placed_at timestamptz NOT NULL,"
        + " released_by text, released_reason text, released_at timestamptz)",
    "CREATE INDEX IF NOT EXISTS bulwark_lifecycle_holds_active ON bulwark_lifecycle_holds (scope, target)"
        + " WHERE released_at IS NULL",
    // Hashes are packed 32 bytes each (no subject: 32 zero bytes); stored uncompressed, since
    // hashes do not compress. One evidence row per batch keeps the purge's own writes small.
    "CREATE TABLE IF NOT EXISTS bulwark_lifecycle_evidence (seq bigserial UNIQUE, evidence_id uuid PRIMARY KEY,"
        + " kind text NOT NULL, data_class text, policy text NOT NULL, record_hashes bytea NOT NULL,"
        + " subject_hashes bytea NOT NULL, at timestamptz NOT NULL, actor text NOT NULL, reason text NOT NULL,"
        + " reference text NOT NULL, delivered boolean NOT NULL DEFAULT false)",
    "ALTER TABLE bulwark_lifecycle_evidence ALTER COLUMN record_hashes SET STORAGE EXTERNAL,"
        + " ALTER COLUMN subject_hashes SET STORAGE EXTERNAL",
    "CREATE INDEX IF NOT EXISTS bulwark_lifecycle_evidence_pending ON bulwark_lifecycle_evidence (seq)"
        + " WHERE NOT delivered",
    "CREATE TABLE IF NOT EXISTS bulwark_lifecycle_watermark (job text PRIMARY KEY,"
        + " last_run_started_at timestamptz, last_completed_rows bigint)",
  };

  private final DataSource dataSource;
  private final Map<DataClass, Table> tables;

  private JdbcLifecycleStore(DataSource dataSource, Map<DataClass, Table> tables) {
    this.dataSource = dataSource;
    this.tables = tables;
  }

  /**
   * Creates the module's own tables if missing and checks every mapping against the database.
   *
   * @throws MappingException when a mapped table or column is missing or has the wrong type
   * @throws LifecycleException when the database cannot be reached
   */
  public static JdbcLifecycleStore create(DataSource dataSource, Collection<TableMapping> mappings) {
    Objects.requireNonNull(dataSource, "dataSource");
    if (mappings.isEmpty()) {
      throw new IllegalArgumentException("at least one table mapping");
    }
    Map<DataClass, Table> tables = new HashMap<>();
    List<String> problems = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
        for (String ddl : SCHEMA) {
          s.execute(ddl);
        }
      }
      c.commit();
      c.setAutoCommit(true);
      for (TableMapping m : mappings) {
        if (tables.containsKey(m.dataClass())) {
          throw new IllegalArgumentException("two mappings for data class " + m.dataClass());
        }
        Optional<Table> t = Table.check(c, m, problems);
        t.ifPresent(table -> tables.put(m.dataClass(), table));
      }
    } catch (SQLException e) {
      throw new LifecycleException("cannot prepare the lifecycle tables", e);
    }
    if (!problems.isEmpty()) {
      throw new MappingException("table mapping does not match the database", problems);
    }
    return new JdbcLifecycleStore(dataSource, Map.copyOf(tables));
  }

  public static JdbcLifecycleStore create(DataSource dataSource, TableMapping... mappings) {
    return create(dataSource, List.of(mappings));
  }

  // ---------------------------------------------------------------- helpers

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T tx(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new LifecycleException("lifecycle store failed: " + e.getMessage(), e);
    }
  }

  private <T> T auto(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new LifecycleException("lifecycle store failed: " + e.getMessage(), e);
    }
  }

  private Table table(DataClass c) {
    Table t = tables.get(c);
    if (t == null) {
      throw new UnknownDataClassException(c, "no table mapping for it");
    }
    return t;
  }

  static OffsetDateTime ts(Instant i) {
    return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }

  static Optional<Instant> instant(ResultSet rs, int col) throws SQLException {
    OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
    return Optional.ofNullable(t).map(OffsetDateTime::toInstant);
  }

  // ---------------------------------------------------------------- records

  @Override
  public Set<DataClass> dataClasses() {
    return tables.keySet();
  }

  @Override
  public Optional<RecordState> find(RecordRef ref) {
    Table t = table(ref.dataClass());
    return auto(c -> {
      try (PreparedStatement ps = c.prepareStatement(t.selectById)) {
        ps.setString(1, ref.id());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(t.state(rs)) : Optional.<RecordState>empty();
        }
      } catch (SQLException e) {
        if ("22P02".equals(e.getSQLState())) {
          return Optional.<RecordState>empty();
        }
        throw t.badId(ref, e);
      }
    });
  }

  @Override
  public boolean markEligible(RecordRef ref, Instant eligibleAt, Instant purgeAfter) {
    Table t = table(ref.dataClass());
    return tx(c -> {
      try (PreparedStatement ps = c.prepareStatement(t.markEligible)) {
        int i = 1;
        ps.setObject(i++, ts(purgeAfter));
        if (t.mapping.eligibleAtColumn().isPresent()) {
          ps.setObject(i++, ts(eligibleAt));
        }
        ps.setString(i, ref.id());
        if (ps.executeUpdate() == 1) {
          return true;
        }
      } catch (SQLException e) {
        throw t.badId(ref, e);
      }
      try (PreparedStatement ps = c.prepareStatement(t.selectById)) {
        ps.setString(1, ref.id());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new UnknownRecordException("no record " + ref);
          }
          return false;
        }
      }
    });
  }

  @Override
  public List<RecordState> scheduled(DataClass dataClass, Optional<String> afterId, int limit) {
    Table t = table(dataClass);
    if (t.mapping.eligibleAtColumn().isEmpty()) {
      throw new MappingException("cannot re-evaluate deadlines",
          List.of("mapping of " + dataClass + " names no eligibleAt column"));
    }
    return auto(c -> {
      try (PreparedStatement ps = c.prepareStatement(afterId.isPresent() ? t.scheduledAfter : t.scheduledFirst)) {
        int i = 1;
        if (afterId.isPresent()) {
          ps.setString(i++, afterId.get());
        }
        ps.setInt(i, limit);
        return t.states(ps);
      }
    });
  }

  @Override
  public boolean moveDeadline(RecordRef ref, Instant expected, Instant purgeAfter) {
    Table t = table(ref.dataClass());
    return auto(c -> {
      try (PreparedStatement ps = c.prepareStatement(t.moveDeadline)) {
        ps.setObject(1, ts(purgeAfter));
        ps.setString(2, ref.id());
        ps.setObject(3, ts(expected));
        return ps.executeUpdate() == 1;
      } catch (SQLException e) {
        throw t.badId(ref, e);
      }
    });
  }

  @Override
  public SoftDeletion softDelete(SoftDeletion operation) {
    for (SoftDeletion.Entry e : operation.entries()) {
      table(e.ref().dataClass());
    }
    return tx(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_lifecycle_operations"
          + " (op_id, actor, reason, deleted_at) VALUES (?, ?, ?, ?) ON CONFLICT (op_id) DO NOTHING")) {
        ps.setObject(1, operation.id().value());
        ps.setString(2, operation.by().actor());
        ps.setString(3, operation.by().reason());
        ps.setObject(4, ts(operation.at()));
        if (ps.executeUpdate() != 1) {
          throw new IllegalArgumentException("operation id " + operation.id() + " is already used");
        }
      }
      List<SoftDeletion.Entry> stored = new ArrayList<>();
      for (SoftDeletion.Entry e : operation.entries()) {
        Table t = table(e.ref().dataClass());
        RecordState state = t.lock(c, e.ref())
            .orElseThrow(() -> new UnknownRecordException("no record " + e.ref()));
        if (state.deleted()) {
          throw new UnknownRecordException("record " + e.ref() + " is already deleted");
        }
        Instant purge = Evidence.earlier(e.purgeAfter(), state.purgeAfter());
        try (PreparedStatement ps = c.prepareStatement(t.markDeleted)) {
          int i = 1;
          ps.setObject(i++, ts(operation.at()));
          ps.setObject(i++, ts(purge));
          if (t.mapping.operationColumn().isPresent()) {
            ps.setObject(i++, operation.id().value());
          }
          ps.setString(i, e.ref().id());
          ps.executeUpdate();
        }
        stored.add(new SoftDeletion.Entry(e.ref(), purge, state.purgeAfter()));
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_lifecycle_operation_records"
          + " (op_id, seq, data_class, record_id, purge_after, prior_purge_after) VALUES (?, ?, ?, ?, ?, ?)")) {
        int seq = 0;
        for (SoftDeletion.Entry e : stored) {
          ps.setObject(1, operation.id().value());
          ps.setInt(2, seq++);
          ps.setString(3, e.ref().dataClass().name());
          ps.setString(4, e.ref().id());
          ps.setObject(5, ts(e.purgeAfter()));
          ps.setObject(6, e.priorPurgeAfter().map(JdbcLifecycleStore::ts).orElse(null));
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return new SoftDeletion(operation.id(), operation.by(), operation.at(), stored, Optional.empty());
    });
  }

  @Override
  public Optional<SoftDeletion> operation(OperationId id) {
    return auto(c -> readOperation(c, id, false));
  }

  private Optional<SoftDeletion> readOperation(Connection c, OperationId id, boolean lock) throws SQLException {
    Attribution by;
    Instant at;
    Optional<SoftDeletion.Restoration> restoration = Optional.empty();
    try (PreparedStatement ps = c.prepareStatement("SELECT actor, reason, deleted_at, restored_by, restored_reason,"
        + " restored_at FROM bulwark_lifecycle_operations WHERE op_id = ?" + (lock ? " FOR UPDATE" : ""))) {
      ps.setObject(1, id.value());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        by = new Attribution(rs.getString(1), rs.getString(2));
        at = instant(rs, 3).orElseThrow();
        if (rs.getString(4) != null) {
          restoration = Optional.of(new SoftDeletion.Restoration(
              new Attribution(rs.getString(4), rs.getString(5)), instant(rs, 6).orElseThrow()));
        }
      }
    }
    List<SoftDeletion.Entry> entries = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT data_class, record_id, purge_after, prior_purge_after"
        + " FROM bulwark_lifecycle_operation_records WHERE op_id = ? ORDER BY seq")) {
      ps.setObject(1, id.value());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          entries.add(new SoftDeletion.Entry(new RecordRef(DataClass.of(rs.getString(1)), rs.getString(2)),
              instant(rs, 3).orElseThrow(), instant(rs, 4)));
        }
      }
    }
    return Optional.of(new SoftDeletion(id, by, at, entries, restoration));
  }

  @Override
  public SoftDeletion restore(OperationId id, SoftDeletion.Restoration restoration) {
    return tx(c -> {
      SoftDeletion op = readOperation(c, id, true).orElseThrow(() -> new UnknownOperationException(id));
      if (op.restoration().isPresent()) {
        throw new OperationNotRestorableException("operation " + id + " was restored already");
      }
      for (SoftDeletion.Entry e : op.entries()) {
        Table t = table(e.ref().dataClass());
        Optional<RecordState> state = t.lock(c, e.ref());
        boolean ours = state.isPresent() && state.get().deletedAt().equals(Optional.of(op.at()))
            && state.get().purgeAfter().isPresent()
            && state.get().operation().map(id::equals).orElse(true);
        if (!ours) {
          throw new OperationNotRestorableException(
              "operation " + id + " cannot be restored: record " + e.ref() + " was purged or anonymised");
        }
      }
      for (SoftDeletion.Entry e : op.entries()) {
        Table t = table(e.ref().dataClass());
        try (PreparedStatement ps = c.prepareStatement(t.unmarkDeleted)) {
          ps.setObject(1, e.priorPurgeAfter().map(JdbcLifecycleStore::ts).orElse(null));
          ps.setString(2, e.ref().id());
          ps.executeUpdate();
        }
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE bulwark_lifecycle_operations SET restored_by = ?,"
          + " restored_reason = ?, restored_at = ? WHERE op_id = ?")) {
        ps.setString(1, restoration.by().actor());
        ps.setString(2, restoration.by().reason());
        ps.setObject(3, ts(restoration.at()));
        ps.setObject(4, id.value());
        ps.executeUpdate();
      }
      return new SoftDeletion(op.id(), op.by(), op.at(), op.entries(), Optional.of(restoration));
    });
  }

  @Override
  public List<RecordState> due(DataClass dataClass, Instant now, int limit) {
    Table t = table(dataClass);
    return auto(c -> {
      try (PreparedStatement ps = c.prepareStatement(t.due)) {
        ps.setObject(1, ts(now));
        ps.setString(2, dataClass.name());
        ps.setInt(3, limit);
        return t.states(ps);
      }
    });
  }

  @Override
  public long countDue(DataClass dataClass, Instant now) {
    Table t = table(dataClass);
    return auto(c -> {
      try (PreparedStatement ps = c.prepareStatement(t.countDue)) {
        ps.setObject(1, ts(now));
        ps.setString(2, dataClass.name());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  @Override
  public long countForSubject(DataClass dataClass, String subject) {
    Table t = table(dataClass);
    if (t.countSubject == null) {
      return 0;
    }
    return auto(c -> {
      try (PreparedStatement ps = c.prepareStatement(t.countSubject)) {
        ps.setString(1, subject);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      } catch (SQLException e) {
        // A subject that cannot be cast to the column's type has no records there.
        if ("22P02".equals(e.getSQLState())) {
          return 0L;
        }
        throw e;
      }
    });
  }

  @Override
  public Optional<DeletionEvidence> purgeBatch(PurgeBatchRequest request) {
    Table t = table(request.policy().dataClass());
    if (request.subject().isPresent() && t.mapping.subjectColumn().isEmpty()) {
      return Optional.empty();
    }
    RetentionPolicy.Action action = request.policy().action();
    return tx(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock_shared(" + HOLD_LOCK + ")");
      }
      List<RecordState> batch;
      boolean bySubject = request.subject().isPresent();
      if (action == RetentionPolicy.Action.PURGE) {
        try (PreparedStatement ps = c.prepareStatement(bySubject ? t.purgeSubject : t.purgeDue)) {
          bind(ps, request);
          batch = t.states(ps);
        }
      } else {
        try (PreparedStatement ps = c.prepareStatement(bySubject ? t.lockSubject : t.lockDue)) {
          bind(ps, request);
          batch = t.states(ps);
        }
        if (!batch.isEmpty()) {
          Evidence.handOver(action, request.handler(), batch);
          String[] ids = batch.stream().map(r -> r.ref().id()).toArray(String[]::new);
          try (PreparedStatement ps = c.prepareStatement(
              action == RetentionPolicy.Action.ANONYMISE ? t.clearDeadlines : t.deleteIds)) {
            ps.setArray(1, c.createArrayOf("text", ids));
            ps.executeUpdate();
          }
        }
      }
      if (batch.isEmpty()) {
        return Optional.empty();
      }
      DeletionEvidence e = Evidence.forBatch(request, batch);
      insertEvidence(c, e);
      return Optional.of(e);
    });
  }

  private static void bind(PreparedStatement ps, PurgeBatchRequest r) throws SQLException {
    if (r.subject().isPresent()) {
      ps.setString(1, r.subject().get());
    } else {
      ps.setObject(1, ts(r.now()));
    }
    ps.setString(2, r.policy().dataClass().name());
    ps.setInt(3, r.limit());
  }

  private static final int HASH_BYTES = 32;

  private static void insertEvidence(Connection c, DeletionEvidence e) throws SQLException {
    byte[] records = new byte[e.count() * HASH_BYTES];
    byte[] subjects = new byte[e.count() * HASH_BYTES];
    HexFormat hex = HexFormat.of();
    for (int i = 0; i < e.count(); i++) {
      DeletionEvidence.Item item = e.items().get(i);
      System.arraycopy(hex.parseHex(item.recordHash()), 0, records, i * HASH_BYTES, HASH_BYTES);
      if (item.subjectHash().isPresent()) {
        System.arraycopy(hex.parseHex(item.subjectHash().get()), 0, subjects, i * HASH_BYTES, HASH_BYTES);
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_lifecycle_evidence (evidence_id, kind,"
        + " data_class, policy, record_hashes, subject_hashes, at, actor, reason, reference)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setObject(1, e.id());
      ps.setString(2, e.kind().name());
      ps.setString(3, e.dataClass().map(DataClass::name).orElse(null));
      ps.setString(4, e.policy());
      ps.setBytes(5, records);
      ps.setBytes(6, subjects);
      ps.setObject(7, ts(e.at()));
      ps.setString(8, e.by().actor());
      ps.setString(9, e.by().reason());
      ps.setString(10, e.reference());
      ps.executeUpdate();
    }
  }

  // ---------------------------------------------------------------- holds

  @Override
  public void placeHold(LegalHold hold) {
    tx(c -> {
      try (Statement s = c.createStatement()) {
        // Waits for running purge batches to commit; later batches see this hold.
        s.execute("SELECT pg_advisory_xact_lock(" + HOLD_LOCK + ")");
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_lifecycle_holds (hold_id, scope, target,"
          + " data_class, reason, owner, placed_by, placed_reason, placed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (hold_id) DO NOTHING")) {
        ps.setObject(1, hold.id());
        ps.setString(2, hold.scope().name());
        ps.setString(3, hold.target());
        ps.setString(4, hold.dataClass().map(DataClass::name).orElse(null));
        ps.setString(5, hold.reason());
        ps.setString(6, hold.owner());
        ps.setString(7, hold.placedBy().actor());
        ps.setString(8, hold.placedBy().reason());
        ps.setObject(9, ts(hold.placedAt()));
        if (ps.executeUpdate() != 1) {
          throw new IllegalArgumentException("hold id " + hold.id() + " is already used");
        }
      }
      return null;
    });
  }

  private static final String HOLD_COLUMNS = "hold_id, scope, target, data_class, reason, owner, placed_by,"
      + " placed_reason, placed_at, released_by, released_reason, released_at";

  private static LegalHold readHold(ResultSet rs) throws SQLException {
    Optional<LegalHold.Release> release = Optional.empty();
    if (rs.getString(10) != null) {
      release = Optional.of(new LegalHold.Release(new Attribution(rs.getString(10), rs.getString(11)),
          instant(rs, 12).orElseThrow()));
    }
    return new LegalHold(rs.getObject(1, UUID.class), LegalHold.Scope.valueOf(rs.getString(2)), rs.getString(3),
        Optional.ofNullable(rs.getString(4)).map(DataClass::of), rs.getString(5), rs.getString(6),
        new Attribution(rs.getString(7), rs.getString(8)), instant(rs, 9).orElseThrow(), release);
  }

  private static List<LegalHold> readHolds(PreparedStatement ps) throws SQLException {
    List<LegalHold> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(readHold(rs));
      }
    }
    return out;
  }

  @Override
  public Optional<LegalHold> releaseHold(UUID id, LegalHold.Release release) {
    return auto(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE bulwark_lifecycle_holds SET released_by = ?,"
          + " released_reason = ?, released_at = ? WHERE hold_id = ? AND released_at IS NULL RETURNING "
          + HOLD_COLUMNS)) {
        ps.setString(1, release.by().actor());
        ps.setString(2, release.by().reason());
        ps.setObject(3, ts(release.at()));
        ps.setObject(4, id);
        return readHolds(ps).stream().findFirst();
      }
    });
  }

  @Override
  public Optional<LegalHold> hold(UUID id) {
    return auto(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT " + HOLD_COLUMNS + " FROM bulwark_lifecycle_holds WHERE hold_id = ?")) {
        ps.setObject(1, id);
        return readHolds(ps).stream().findFirst();
      }
    });
  }

  @Override
  public List<LegalHold> activeHolds() {
    return auto(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + HOLD_COLUMNS
          + " FROM bulwark_lifecycle_holds WHERE released_at IS NULL ORDER BY placed_at, hold_id")) {
        return readHolds(ps);
      }
    });
  }

  @Override
  public List<LegalHold> holdsCovering(RecordState record) {
    Table t = table(record.ref().dataClass());
    List<LegalHold> out = new ArrayList<>();
    for (LegalHold h : activeHolds()) {
      boolean covers;
      switch (h.scope()) {
        case SUBJECT:
          covers = t.mapping.subjectColumn().isEmpty() || h.covers(record.ref(), record.subject(), record.tenant());
          break;
        case TENANT:
          covers = t.mapping.tenantColumn().isEmpty() || h.covers(record.ref(), record.subject(), record.tenant());
          break;
        default:
          covers = h.covers(record.ref(), record.subject(), record.tenant());
      }
      if (covers) {
        out.add(h);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- evidence

  @Override
  public void appendEvidence(DeletionEvidence evidence) {
    tx(c -> {
      try {
        insertEvidence(c, evidence);
      } catch (SQLException e) {
        if ("23505".equals(e.getSQLState())) {
          throw new IllegalArgumentException("evidence id " + evidence.id() + " is already used", e);
        }
        throw e;
      }
      return null;
    });
  }

  private static final String EVIDENCE_COLUMNS =
      "evidence_id, kind, data_class, policy, record_hashes, subject_hashes, at, actor, reason, reference";

  private static List<DeletionEvidence> readEvidence(PreparedStatement ps) throws SQLException {
    List<DeletionEvidence> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        byte[] records = rs.getBytes(5);
        byte[] subjects = rs.getBytes(6);
        HexFormat hex = HexFormat.of();
        byte[] none = new byte[HASH_BYTES];
        List<DeletionEvidence.Item> items = new ArrayList<>(records.length / HASH_BYTES);
        for (int i = 0; i < records.length; i += HASH_BYTES) {
          byte[] subject = Arrays.copyOfRange(subjects, i, i + HASH_BYTES);
          items.add(new DeletionEvidence.Item(hex.formatHex(records, i, i + HASH_BYTES),
              Arrays.equals(subject, none) ? Optional.empty() : Optional.of(hex.formatHex(subject))));
        }
        out.add(new DeletionEvidence(rs.getObject(1, UUID.class), DeletionEvidence.Kind.valueOf(rs.getString(2)),
            Optional.ofNullable(rs.getString(3)).map(DataClass::of), rs.getString(4), items,
            instant(rs, 7).orElseThrow(), new Attribution(rs.getString(8), rs.getString(9)), rs.getString(10)));
      }
    }
    return out;
  }

  @Override
  public List<DeletionEvidence> pendingEvidence(int limit) {
    return auto(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + EVIDENCE_COLUMNS
          + " FROM bulwark_lifecycle_evidence WHERE NOT delivered ORDER BY seq LIMIT ?")) {
        ps.setInt(1, limit);
        return readEvidence(ps);
      }
    });
  }

  @Override
  public void markDelivered(Collection<UUID> evidenceIds) {
    if (evidenceIds.isEmpty()) {
      return;
    }
    auto(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE bulwark_lifecycle_evidence SET delivered = true WHERE evidence_id = ANY(?)")) {
        ps.setArray(1, c.createArrayOf("uuid", evidenceIds.toArray()));
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public List<DeletionEvidence> evidenceForSubject(String subjectHash) {
    List<DeletionEvidence> all = auto(c -> {
      // A rare query (one per erasure report): a scan that keeps the purge path free of index
      // writes. The byte search is a prefilter; narrow() below keeps exact, aligned matches only.
      try (PreparedStatement ps = c.prepareStatement("SELECT " + EVIDENCE_COLUMNS
          + " FROM bulwark_lifecycle_evidence WHERE position(? in subject_hashes) > 0 ORDER BY seq")) {
        ps.setBytes(1, HexFormat.of().parseHex(subjectHash));
        return readEvidence(ps);
      }
    });
    List<DeletionEvidence> out = new ArrayList<>();
    for (DeletionEvidence e : all) {
      Evidence.narrow(e, subjectHash).ifPresent(out::add);
    }
    return out;
  }

  // ---------------------------------------------------------------- watermark

  @Override
  public Watermark watermark() {
    return auto(c -> readWatermark(c, false));
  }

  private static Watermark readWatermark(Connection c, boolean lock) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT last_run_started_at, last_completed_rows"
        + " FROM bulwark_lifecycle_watermark WHERE job = ?" + (lock ? " FOR UPDATE" : ""))) {
      ps.setString(1, JOB);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return new Watermark(Optional.empty(), Optional.empty());
        }
        long rows = rs.getLong(2);
        return new Watermark(instant(rs, 1), rs.wasNull() ? Optional.empty() : Optional.of(rows));
      }
    }
  }

  @Override
  public Watermark advanceWatermark(Instant startedAt) {
    return tx(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO bulwark_lifecycle_watermark (job) VALUES (?) ON CONFLICT (job) DO NOTHING")) {
        ps.setString(1, JOB);
        ps.executeUpdate();
      }
      Watermark before = readWatermark(c, true);
      try (PreparedStatement ps = c.prepareStatement("UPDATE bulwark_lifecycle_watermark SET last_run_started_at ="
          + " GREATEST(COALESCE(last_run_started_at, ?), ?) WHERE job = ?")) {
        ps.setObject(1, ts(startedAt));
        ps.setObject(2, ts(startedAt));
        ps.setString(3, JOB);
        ps.executeUpdate();
      }
      return before;
    });
  }

  @Override
  public void recordRunCompleted(long rows) {
    auto(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_lifecycle_watermark (job,"
          + " last_completed_rows) VALUES (?, ?) ON CONFLICT (job) DO UPDATE SET last_completed_rows = EXCLUDED.last_completed_rows")) {
        ps.setString(1, JOB);
        ps.setLong(2, rows);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public Optional<Instant> referenceTime() {
    return auto(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT clock_timestamp()");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return instant(rs, 1);
      }
    });
  }
}
