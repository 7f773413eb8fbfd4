package dev.bulwark.lifecycle.jdbc;

import dev.bulwark.common.jdbc.Jdbc;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.DeletionEvidence;
import dev.bulwark.lifecycle.LegalHold;
import dev.bulwark.lifecycle.LegalHoldException;
import dev.bulwark.lifecycle.LifecycleException;
import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.LifecycleStoreException;
import dev.bulwark.lifecycle.OperationId;
import dev.bulwark.lifecycle.OperationNotRestorableException;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.UnknownDataClassException;
import dev.bulwark.lifecycle.UnknownOperationException;
import dev.bulwark.lifecycle.UnknownRecordException;
import dev.bulwark.lifecycle.internal.Evidence;
import dev.bulwark.lifecycle.spi.KeyShredder;
import dev.bulwark.lifecycle.spi.PurgeBatchRequest;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.lifecycle.spi.SoftDeletion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A {@link LifecycleStore} on PostgreSQL that works on the host's own tables through
 * {@link TableMapping}s, and keeps its own state (operations, holds, evidence, watermark) in
 * tables named {@code bulwark_lifecycle_*} in the connection's current schema. Their DDL is
 * published as plain SQL migrations under {@code db/migration/bulwark-lifecycle/} (hand them to
 * Flyway or Liquibase), or applied by {@link #createSchema} ({@code bulwark lifecycle init}) or a
 * {@link #builder} with {@code createSchema(true)}, through bulwark-common's {@link JdbcSchema}
 * (one transaction behind an advisory lock). The runtime role needs no ownership (see the
 * README's grants). Every time column is {@code timestamptz}. This class works on the host's tables
 * and runs the transactions; the state Bulwark owns has its own stores in this package
 * ({@code JdbcOperations}, {@code JdbcHolds}, {@code JdbcEvidence}, {@code JdbcWatermark}), each
 * working in the caller's transaction so that, for example, a batch's evidence commits with its
 * deletion.
 *
 * <p>Purge batches lock their rows with {@code FOR UPDATE SKIP LOCKED}, so purgers on several
 * nodes share the work without doing any row twice. Each batch first takes a shared
 * transaction-level advisory lock that hold placement takes exclusively: a hold placed while a
 * batch runs waits for that batch to commit, and every later batch sees the hold when it checks
 * holds inside its own transaction. A batch's deletion and its evidence commit together.
 *
 * <p>Built with {@link #create}, which only reads (the {@code createSchema(false)} of the
 * builder): it checks its own tables and every mapping and throws {@link MappingException}
 * listing every missing table or column. Thread-safe; uses only standard JDBC and PostgreSQL SQL;
 * depends on no driver.
 */
public final class JdbcLifecycleStore implements LifecycleStore {

  /** Advisory lock key shared by hold placement (exclusive) and purge batches (shared). */
  static final long HOLD_LOCK = 0x6c69666563796c65L;

  /**
   * The module's own tables, as published migrations under {@code db/migration/bulwark-lifecycle/}
   * (hand them to Flyway or Liquibase, or let {@link #createSchema} apply them), with the columns
   * this store reads.
   */
  static final JdbcSchema SCHEMA = JdbcSchema.builder("lifecycle", JdbcLifecycleStore.class)
      .migrations("V1__tables.sql")
      .table("bulwark_lifecycle_operations", "op_id uuid", "actor text", "reason text", "deleted_at timestamptz",
          "restored_by text", "restored_reason text", "restored_at timestamptz", "seq")
      .table("bulwark_lifecycle_operation_records", "op_id uuid", "seq int4", "data_class text", "record_id text",
          "purge_after timestamptz", "prior_purge_after timestamptz")
      .table("bulwark_lifecycle_holds", "hold_id uuid", "scope text", "target text", "data_class text", "reason text",
          "owner text", "placed_by text", "placed_reason text", "placed_at timestamptz", "released_by text",
          "released_reason text", "released_at timestamptz")
      .table("bulwark_lifecycle_evidence", "seq", "evidence_id uuid", "kind text", "data_class text",
          "policy text", "record_hashes bytea", "subject_hashes bytea", "at timestamptz", "actor text", "reason text",
          "reference text", "delivered bool")
      .table("bulwark_lifecycle_watermark", "job text", "last_run_started_at timestamptz", "last_completed_rows int8")
      .table("bulwark_lifecycle_hold_targets", "hold_id uuid", "data_class text", "target text")
      .table("bulwark_lifecycle_set_aside", "reference text", "data_class text", "record_id text", "sql_state text",
          "message text", "at timestamptz")
      .build();

  /** The module's own tables; {@link #create} requires all of them. */
  static final List<String> OWN_TABLES = List.of("bulwark_lifecycle_operations", "bulwark_lifecycle_operation_records",
      "bulwark_lifecycle_holds", "bulwark_lifecycle_evidence", "bulwark_lifecycle_watermark",
      "bulwark_lifecycle_hold_targets", "bulwark_lifecycle_set_aside");

  private final Jdbc jdbc;
  private final Map<DataClass, Table> tables;

  private JdbcLifecycleStore(DataSource dataSource, Map<DataClass, Table> tables) {
    this.jdbc = Jdbc.of(dataSource, LifecycleStoreException::new);
    this.tables = tables;
  }

  /**
   * Creates the module's own tables in the connection's current schema, where missing: the
   * explicit set-up step, run once per deployment (and after an upgrade) by a role allowed to
   * create tables. Idempotent; serialised against itself.
   *
   * @throws LifecycleStoreException when the database cannot be reached or the role may not create tables
   */
  public static void createSchema(DataSource dataSource) {
    SCHEMA.apply(Objects.requireNonNull(dataSource, "dataSource"), true, LifecycleStoreException::new);
  }

  /**
   * Checks, with read-only queries, that the module's own tables exist and that every mapping
   * matches the database. Takes no lock and changes nothing.
   *
   * @throws MappingException when an own table is missing (run {@link #createSchema} first), or a
   *     mapped table or column is missing or has the wrong type
   * @throws LifecycleStoreException when the database cannot be reached
   */
  public static JdbcLifecycleStore create(DataSource dataSource, Collection<TableMapping> mappings) {
    Objects.requireNonNull(dataSource, "dataSource");
    if (mappings.isEmpty()) {
      throw new IllegalArgumentException("at least one table mapping");
    }
    Map<DataClass, Table> tables = new HashMap<>();
    List<String> problems = new ArrayList<>();
    try {
      SCHEMA.check(dataSource);
    } catch (SQLException e) {
      problems.add("the lifecycle tables are missing or predate this version (" + e.getMessage() + "): create or"
          + " upgrade them first (JdbcLifecycleStore.createSchema, bulwark lifecycle init, or the migrations in"
          + " classpath:" + SCHEMA.migrationDirectory() + ")");
    }
    try (Connection c = dataSource.getConnection()) {
      for (TableMapping m : mappings) {
        if (tables.containsKey(m.dataClass())) {
          throw new IllegalArgumentException("two mappings for data class " + m.dataClass());
        }
        Optional<Table> t = Table.check(c, m, problems);
        t.ifPresent(table -> tables.put(m.dataClass(), table));
      }
    } catch (SQLException e) {
      throw new LifecycleStoreException("cannot prepare the lifecycle tables", e);
    }
    if (!problems.isEmpty()) {
      throw new MappingException("table mapping does not match the database", problems);
    }
    return new JdbcLifecycleStore(dataSource, Map.copyOf(tables));
  }

  /** The names of the module's own tables, as {@link #createSchema} creates them. */
  public static List<String> tableNames() {
    return OWN_TABLES;
  }

  public static JdbcLifecycleStore create(DataSource dataSource, TableMapping... mappings) {
    return create(dataSource, List.of(mappings));
  }

  /** A store over {@code dataSource}; name the host's tables with {@link Builder#mapping}. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** Configures a {@link JdbcLifecycleStore}; defaults in brackets. */
  public static final class Builder {
    private final DataSource dataSource;
    private final List<TableMapping> mappings = new ArrayList<>();
    private boolean createSchema = true;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Adds the mapping of one data class's table. */
    public Builder mapping(TableMapping mapping) {
      mappings.add(Objects.requireNonNull(mapping, "mapping"));
      return this;
    }

    /**
     * Whether {@link #build} applies the missing migrations first [true]. With false it runs no
     * DDL and only checks, read-only, that the host's migrations created the tables; a role
     * without the CREATE right falls back to that check either way.
     */
    public Builder createSchema(boolean create) {
      this.createSchema = create;
      return this;
    }

    /**
     * @throws MappingException when a table or column is missing or has the wrong type
     * @throws LifecycleStoreException when the database cannot be reached
     */
    public JdbcLifecycleStore build() {
      LifecycleStoreException createFailure = null;
      if (createSchema) {
        try {
          SCHEMA.apply(dataSource, true, LifecycleStoreException::new);
        } catch (LifecycleStoreException e) {
          // The read-only check below reports it with every mapping problem.
          createFailure = e;
        }
      }
      try {
        return create(dataSource, mappings);
      } catch (RuntimeException e) {
        if (createFailure != null) {
          e.addSuppressed(createFailure);
        }
        throw e;
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  /** A step on one connection; {@code X} is the refusal it may throw (none: RuntimeException). */
  @FunctionalInterface
  private interface Work<T, X extends Exception> {
    T run(Connection c) throws SQLException, X;
  }

  /** Carries a refusal or an {@link Error} through bulwark-common's transaction helper, which rolls back. */
  private static final class Carried extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Carried(Throwable cause) {
      super(null, cause, false, false);
    }
  }

  /**
   * Runs {@code work} in one transaction ({@link Jdbc#inTransaction}); a database failure becomes a
   * {@link LifecycleStoreException}. A refusal or an {@link Error} (a host callback's) rolls the
   * transaction back too, and is rethrown as it was.
   */
  @SuppressWarnings("unchecked")
  private <T, X extends Exception> T tx(Work<T, X> work) throws X {
    try {
      return jdbc.inTransaction("lifecycle store", c -> {
        try {
          return work.run(c);
        } catch (SQLException | RuntimeException e) {
          throw e;
        } catch (Exception | Error e) {
          throw new Carried(e);
        }
      });
    } catch (Carried carried) {
      if (carried.getCause() instanceof Error e) {
        throw e;
      }
      throw (X) carried.getCause();
    }
  }

  @SuppressWarnings("unchecked")
  private <T, X extends Exception> T auto(Work<T, X> work) throws X {
    try {
      return jdbc.run("lifecycle store", c -> {
        try {
          return work.run(c);
        } catch (SQLException | RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new Carried(e);
        }
      });
    } catch (Carried carried) {
      throw (X) carried.getCause();
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
        if (Table.doesNotFit(e)) {
          return Optional.<RecordState>empty();
        }
        throw e;
      }
    });
  }

  @Override
  public boolean markEligible(RecordRef ref, Instant eligibleAt, Instant purgeAfter) throws UnknownRecordException {
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
        throw t.unknownRecord(ref, e);
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
        if (Table.doesNotFit(e)) {
          // An id the column's type cannot hold names no record: nothing to move.
          return false;
        }
        throw e;
      }
    });
  }

  @Override
  public SoftDeletion softDelete(SoftDeletion operation) throws UnknownRecordException {
    for (SoftDeletion.Entry e : operation.entries()) {
      table(e.ref().dataClass());
    }
    return tx(c -> {
      if (!JdbcOperations.insert(c, operation)) {
        throw new IllegalArgumentException("operation id " + operation.id() + " is already used");
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
        // The canonical id (as the column's text form), so the journal names the row however the caller spelled it.
        stored.add(new SoftDeletion.Entry(state.ref(), purge, state.purgeAfter()));
      }
      JdbcOperations.insertEntries(c, operation.id(), stored);
      return new SoftDeletion(operation.id(), operation.by(), operation.at(), stored, Optional.empty());
    });
  }

  @Override
  public Optional<SoftDeletion> operation(OperationId id) {
    return auto(c -> JdbcOperations.read(c, id, false));
  }


  @Override
  public SoftDeletion restore(OperationId id, SoftDeletion.Restoration restoration)
      throws UnknownOperationException, OperationNotRestorableException {
    try {
      return restoreIn(id, restoration);
    } catch (UnknownOperationException | OperationNotRestorableException e) {
      throw e;
    } catch (LifecycleException e) {
      throw new IllegalStateException("unexpected refusal", e);
    }
  }

  private SoftDeletion restoreIn(OperationId id, SoftDeletion.Restoration restoration) throws LifecycleException {
    return this.<SoftDeletion, LifecycleException>tx(c -> {
      SoftDeletion op = JdbcOperations.read(c, id, true).orElseThrow(() -> new UnknownOperationException(id));
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
        if (Evidence.recoveryWindowEnded(e, restoration.at())) {
          throw new OperationNotRestorableException("operation " + id + " cannot be restored: the recovery window of "
              + e.ref() + " ended at " + e.purgeAfter());
        }
        if (t.mapping.operationColumn().isEmpty() && JdbcOperations.deletedAgainLater(c, id, op.at(), state.get().ref())) {
          // Without an operation column the row cannot say which operation deleted it: another
          // unrestored operation naming it at the same time (or later) may be the one that did.
          throw new OperationNotRestorableException("operation " + id + " cannot be restored: record " + e.ref()
              + " was deleted again by a later operation");
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
      JdbcOperations.markRestored(c, id, restoration);
      return new SoftDeletion(op.id(), op.by(), op.at(), op.entries(), Optional.of(restoration));
    });
  }


  @Override
  public List<RecordState> due(DataClass dataClass, Instant now, int limit) {
    Table t = table(dataClass);
    return auto(c -> {
      try (PreparedStatement ps = c.prepareStatement(t.due)) {
        ps.setObject(1, ts(now));
        ps.setInt(2, limit);
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
        if (Table.doesNotFit(e)) {
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
    boolean bySubject = request.subject().isPresent();
    if (bySubject && !fits(t.canonicalSubject.orElseThrow(), request.subject().get())) {
      return Optional.empty();
    }
    return tx(c -> {
      try (Statement s = c.createStatement()) {
        // Custom plans only: a cached generic plan cannot see the LIMIT and the cut-off and may
        // sort the whole table on every batch. An erasure waits for rows the host has locked,
        // but not forever.
        s.execute("SELECT pg_advisory_xact_lock_shared(" + HOLD_LOCK + "),"
            + " set_config('plan_cache_mode', 'force_custom_plan', true)"
            + (bySubject ? ", set_config('lock_timeout', '" + ERASURE_LOCK_TIMEOUT + "', true)" : ""));
      }
      List<RecordState> batch;
      List<RecordState> failed = new ArrayList<>();
      String why = "";
      try {
        if (action == RetentionPolicy.Action.PURGE) {
          Savepoint before = c.setSavepoint();
          try (PreparedStatement ps = c.prepareStatement(bySubject ? t.purgeSubject : t.purgeDue)) {
            bind(ps, request);
            batch = t.states(ps);
          } catch (SQLException e) {
            if (!rowFault(e)) {
              throw e;
            }
            // One row the database refuses to delete (a foreign key, a trigger) must not stop
            // the purge: delete the batch row by row and set the refusing rows aside.
            c.rollback(before);
            batch = new ArrayList<>();
            why = e.getSQLState() + " " + firstLine(e);
            purgeOneByOne(c, t, request, batch, failed);
          }
        } else {
          try (PreparedStatement ps = c.prepareStatement(bySubject ? t.lockSubject : t.lockDue)) {
            bind(ps, request);
            batch = t.states(ps);
          }
          if (!batch.isEmpty()) {
            Evidence.handOver(action, request.handler(), batch, Optional.of(c));
            String[] ids = batch.stream().map(r -> r.ref().id()).toArray(String[]::new);
            try (PreparedStatement ps = c.prepareStatement(
                action == RetentionPolicy.Action.ANONYMISE ? t.clearDeadlines : t.deleteIds)) {
              ps.setArray(1, c.createArrayOf("text", ids));
              ps.executeUpdate();
            }
          }
        }
      } catch (SQLException e) {
        if ("55P03".equals(e.getSQLState())) {
          throw new LifecycleStoreException("rows of " + request.policy().dataClass() + " are locked by another"
              + " transaction for longer than " + ERASURE_LOCK_TIMEOUT + "; nothing of this batch was deleted,"
              + " retry the erasure", e);
        }
        throw e;
      }
      Optional<DeletionEvidence> failure = Optional.empty();
      if (!failed.isEmpty()) {
        setAside(c, t, request, failed, why);
        DeletionEvidence f = Evidence.failed(request, failed, why);
        JdbcEvidence.insert(c, f);
        failure = Optional.of(f);
      }
      if (batch.isEmpty()) {
        // Only failures: report them, so the runner goes on with the rest of the class.
        return failure;
      }
      DeletionEvidence e = Evidence.forBatch(request, batch);
      JdbcEvidence.insert(c, e);
      return Optional.of(e);
    });
  }

  /** How long an erasure batch waits for a row lock held by the host before it gives up. */
  private static final String ERASURE_LOCK_TIMEOUT = "10s";

  private static boolean rowFault(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("23") || state.startsWith("P0") || state.startsWith("27"));
  }

  private static String firstLine(SQLException e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    m = nl < 0 ? m : m.substring(0, nl);
    return m.length() > 200 ? m.substring(0, 200) : m;
  }

  private void purgeOneByOne(Connection c, Table t, PurgeBatchRequest request, List<RecordState> deleted,
      List<RecordState> failed) throws SQLException {
    List<RecordState> candidates;
    try (PreparedStatement ps = c.prepareStatement(request.subject().isPresent() ? t.lockSubject : t.lockDue)) {
      bind(ps, request);
      candidates = t.states(ps);
    }
    try (PreparedStatement del = c.prepareStatement(t.deleteOne)) {
      for (RecordState r : candidates) {
        Savepoint sp = c.setSavepoint();
        try {
          del.setString(1, r.ref().id());
          del.executeUpdate();
          c.releaseSavepoint(sp);
          deleted.add(r);
        } catch (SQLException e) {
          if (!rowFault(e)) {
            throw e;
          }
          c.rollback(sp);
          failed.add(r);
        }
      }
    }
  }

  private static void setAside(Connection c, Table t, PurgeBatchRequest request, List<RecordState> failed, String why)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_lifecycle_set_aside (reference, data_class,"
        + " record_id, sql_state, message, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
      for (RecordState r : failed) {
        ps.setString(1, request.reference());
        ps.setString(2, t.mapping.dataClass().name());
        ps.setString(3, r.ref().id());
        ps.setString(4, why.length() >= 5 ? why.substring(0, 5) : why);
        ps.setString(5, why);
        ps.setObject(6, ts(request.now()));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void bind(PreparedStatement ps, PurgeBatchRequest r) throws SQLException {
    if (r.subject().isPresent()) {
      ps.setString(1, r.subject().get());
    } else {
      ps.setObject(1, ts(r.now()));
    }
    ps.setString(2, r.reference());
    ps.setInt(3, r.limit());
  }

  /** True when {@code value} parses as the type of the canonicalising statement {@code sql}. */
  private boolean fits(String sql, String value) {
    return canonical(sql, value).isPresent();
  }

  /** The value in the column type's canonical text form, or empty when it does not parse as that type. */
  private Optional<String> canonical(String sql, String value) {
    return auto(c -> canonical(c, sql, value));
  }

  private static Optional<String> canonical(Connection c, String sql, String value) throws SQLException {
    // Each check in a savepoint when inside a transaction: a failed cast must not abort it.
    Savepoint sp = c.getAutoCommit() ? null : c.setSavepoint();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, value);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        Optional<String> out = Optional.ofNullable(rs.getString(1));
        if (sp != null) {
          c.releaseSavepoint(sp);
        }
        return out;
      }
    } catch (SQLException e) {
      if (Table.doesNotFit(e)) {
        if (sp != null) {
          c.rollback(sp);
        }
        return Optional.empty();
      }
      throw e;
    }
  }


  // ---------------------------------------------------------------- holds

  /**
   * {@inheritDoc}
   *
   * <p>A record hold's target must already be canonical ({@link #canonicalId}). A subject
   * (tenant) hold is stored with its target in each mapped subject (tenant) column's canonical
   * form, so the purge compares typed values.
   *
   * @throws IllegalArgumentException when the target parses as none of the mapped columns' types
   */
  @Override
  public void placeHold(LegalHold hold) {
    Map<DataClass, Optional<String>> targets = new HashMap<>();
    if (hold.scope() == LegalHold.Scope.SUBJECT || hold.scope() == LegalHold.Scope.TENANT) {
      boolean subject = hold.scope() == LegalHold.Scope.SUBJECT;
      for (Table t : tables.values()) {
        Optional<String> sql = subject ? t.canonicalSubject : t.canonicalTenant;
        if (sql.isPresent()) {
          targets.put(t.mapping.dataClass(), canonical(sql.get(), hold.target()));
        }
      }
      if (!targets.isEmpty() && targets.values().stream().allMatch(Optional::isEmpty)) {
        throw new IllegalArgumentException("hold target does not parse as any mapped "
            + (subject ? "subject" : "tenant") + " column's type");
      }
    } else if (hold.scope() == LegalHold.Scope.RECORD) {
      Table t = table(hold.dataClass().orElseThrow());
      Optional<String> canonical = canonical(t.canonicalId, hold.target());
      if (canonical.isEmpty() || !canonical.get().equals(hold.target())) {
        throw new IllegalArgumentException("record hold target must be the id's canonical form ("
            + canonical.map(x -> "here: " + x).orElse("the value does not parse as column " + t.mapping.table()
            + "." + t.mapping.idColumn() + "'s type") + ")");
      }
    } else {
      table(hold.dataClass().orElseThrow());
    }
    tx(c -> {
      try (Statement s = c.createStatement()) {
        // Waits for running purge batches to commit; later batches see this hold.
        s.execute("SELECT pg_advisory_xact_lock(" + HOLD_LOCK + ")");
      }
      JdbcHolds.insert(c, hold, targets);
      return null;
    });
  }

  @Override
  public Optional<String> canonicalId(RecordRef ref) {
    return canonical(table(ref.dataClass()).canonicalId, ref.id());
  }

  @Override
  public Set<String> subjectForms(String subject) {
    Set<String> out = new TreeSet<>();
    boolean mapped = false;
    for (Table t : tables.values()) {
      if (t.canonicalSubject.isPresent()) {
        mapped = true;
        canonical(t.canonicalSubject.get(), subject).ifPresent(out::add);
      }
    }
    return mapped ? Set.copyOf(out) : Set.of(subject);
  }

  @Override
  public List<LegalHold> holdsOnSubject(String subject, Optional<String> tenant) {
    return auto(c -> holdsOnSubject(c, subject, tenant));
  }

  private List<LegalHold> holdsOnSubject(Connection c, String subject, Optional<String> tenant) throws SQLException {
    Map<UUID, LegalHold> out = new LinkedHashMap<>();
    boolean subjectMapped = false;
    boolean tenantMapped = false;
    for (Table t : tables.values()) {
      if (t.subjectHolds.isPresent()) {
        subjectMapped = true;
        if (canonical(c, t.canonicalSubject.orElseThrow(), subject).isPresent()) {
          partyHolds(c, t.subjectHolds.get(), subject, out);
        }
      }
      if (t.tenantHolds.isPresent()) {
        tenantMapped = true;
        if (tenant.isPresent() && canonical(c, t.canonicalTenant.orElseThrow(), tenant.get()).isPresent()) {
          partyHolds(c, t.tenantHolds.get(), tenant.get(), out);
        }
      }
    }
    // Without a column to compare against, a hold's target is compared as text.
    try (PreparedStatement ps = c.prepareStatement("SELECT " + Table.HOLD_COLUMNS + " FROM bulwark_lifecycle_holds h"
        + " WHERE h.released_at IS NULL AND ((h.scope = 'SUBJECT' AND h.target = ? AND NOT ?)"
        + " OR (h.scope = 'TENANT' AND h.target = ? AND NOT ?))")) {
      ps.setString(1, subject);
      ps.setBoolean(2, subjectMapped);
      ps.setString(3, tenant.orElse(""));
      ps.setBoolean(4, tenantMapped || tenant.isEmpty());
      for (LegalHold h : JdbcHolds.read(ps)) {
        out.putIfAbsent(h.id(), h);
      }
    }
    return List.copyOf(out.values());
  }

  private static void partyHolds(Connection c, String sql, String value, Map<UUID, LegalHold> out)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, value);
      for (LegalHold h : JdbcHolds.read(ps)) {
        out.putIfAbsent(h.id(), h);
      }
    }
  }

  @Override
  public DeletionEvidence destroyKey(String subject, Optional<String> tenant, KeyShredder shredder, Attribution by,
      String reference, Instant at) throws LegalHoldException {
    return tx(c -> {
      try (Statement s = c.createStatement()) {
        // The purge batches' discipline: a hold placed before this point is seen below; one
        // placed later waits until the key is destroyed and its evidence committed.
        s.execute("SELECT pg_advisory_xact_lock_shared(" + HOLD_LOCK + ")");
      }
      List<LegalHold> blocking = holdsOnSubject(c, subject, tenant);
      if (!blocking.isEmpty()) {
        throw new LegalHoldException("key destruction refused: hold " + blocking.get(0).id() + " ("
            + blocking.get(0).reason() + ") covers the subject");
      }
      long remaining = 0;
      for (Table t : tables.values()) {
        if (t.countSubject != null && canonical(c, t.canonicalSubject.orElseThrow(), subject).isPresent()) {
          try (PreparedStatement ps = c.prepareStatement(t.countSubject)) {
            ps.setString(1, subject);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              remaining += rs.getLong(1);
            }
          }
        }
      }
      if (remaining > 0) {
        throw new LegalHoldException("key destruction refused: " + remaining
            + " record(s) of the subject remain; the other records were erased");
      }
      DeletionEvidence e = Evidence.keyShredded(subject, Evidence.destroyKey(shredder, subject), at, by, reference);
      JdbcEvidence.insert(c, e);
      return e;
    });
  }



  @Override
  public Optional<LegalHold> releaseHold(UUID id, LegalHold.Release release) {
    return auto(c -> JdbcHolds.release(c, id, release));
  }

  @Override
  public Optional<LegalHold> hold(UUID id) {
    return auto(c -> JdbcHolds.byId(c, id));
  }

  @Override
  public List<LegalHold> activeHolds() {
    return auto(JdbcHolds::active);
  }

  @Override
  public List<LegalHold> holdsCovering(RecordState record) {
    Table t = table(record.ref().dataClass());
    // The purge's own predicate, so "why is this not purged?" and the purge always agree.
    return auto(c -> {
      try (PreparedStatement ps = c.prepareStatement(t.holdsCovering)) {
        ps.setString(1, record.ref().id());
        return JdbcHolds.read(ps);
      } catch (SQLException e) {
        if (Table.doesNotFit(e)) {
          return List.<LegalHold>of();
        }
        throw e;
      }
    });
  }

  // ---------------------------------------------------------------- evidence

  @Override
  public void appendEvidence(DeletionEvidence evidence) {
    tx(c -> {
      try {
        JdbcEvidence.insert(c, evidence);
      } catch (SQLException e) {
        if ("23505".equals(e.getSQLState())) {
          throw new IllegalArgumentException("evidence id " + evidence.id() + " is already used", e);
        }
        throw e;
      }
      return null;
    });
  }




  @Override
  public List<DeletionEvidence> pendingEvidence(int limit) {
    return auto(c -> JdbcEvidence.pending(c, limit));
  }

  @Override
  public void markDelivered(Collection<UUID> evidenceIds) {
    if (evidenceIds.isEmpty()) {
      return;
    }
    auto(c -> {
      JdbcEvidence.markDelivered(c, evidenceIds);
      return null;
    });
  }

  @Override
  public List<DeletionEvidence> evidenceForSubject(String subjectHash) {
    return auto(c -> JdbcEvidence.forSubject(c, subjectHash));
  }

  // ---------------------------------------------------------------- watermark

  @Override
  public Watermark watermark() {
    return auto(c -> JdbcWatermark.read(c, false));
  }


  @Override
  public Watermark advanceWatermark(Instant startedAt) {
    return tx(c -> JdbcWatermark.advance(c, startedAt));
  }

  @Override
  public void resetWatermark(Instant to, DeletionEvidence record) {
    tx(c -> {
      JdbcWatermark.reset(c, to);
      JdbcEvidence.insert(c, record);
      return null;
    });
  }

  @Override
  public OptionalLong size(DataClass dataClass) {
    Table t = table(dataClass);
    return auto(c -> {
      try (PreparedStatement ps = c.prepareStatement(t.countAll); ResultSet rs = ps.executeQuery()) {
        rs.next();
        return OptionalLong.of(rs.getLong(1));
      }
    });
  }

  @Override
  public void recordRunCompleted(long rows) {
    auto(c -> {
      JdbcWatermark.recordRunCompleted(c, rows);
      return null;
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
