package dev.bulwark.audit.jdbc;

import dev.bulwark.audit.AuditFormatException;
import dev.bulwark.audit.AuditQuery;
import dev.bulwark.audit.AuditStoreException;
import dev.bulwark.audit.CanonicalEncoding;
import dev.bulwark.audit.spi.IndexFields;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.Segment;
import dev.bulwark.audit.spi.SegmentedAuditStore;
import dev.bulwark.audit.spi.SequenceConflictException;
import dev.bulwark.audit.spi.StoreHead;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.common.Bytes;
import dev.bulwark.common.jdbc.Jdbc;
import dev.bulwark.common.jdbc.JdbcSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.sql.DataSource;

/**
 * An audit store in a relational database (PostgreSQL; standard JDBC and PostgreSQL-compatible
 * SQL, no driver dependency). Many logs share the tables, keyed by log id.
 *
 * <ul>
 *   <li>{@code bulwark_audit_log}: one head row per log (next seq, last chain hash, prune base,
 *       open segment). Every append locks it ({@code SELECT ... FOR UPDATE}) inside the append
 *       transaction, so writers on any number of nodes are serialised by the database.
 *   <li>{@code bulwark_audit_event}: one row per event; {@code PRIMARY KEY (log_id, seq)} and
 *       {@code UNIQUE (log_id, prev_chain)} are the fork guard: two events can never claim the
 *       same position or the same predecessor. Indexed for queries by time, actor, tenant, action
 *       and correlation id.
 *   <li>{@code bulwark_audit_checkpoint}, {@code bulwark_audit_segment}.
 * </ul>
 *
 * <p>A batch is one transaction (group commit): the head row locked, one INSERT of all rows (the
 * columns sent as arrays and unnested by the server), the head row updated; {@link #append}
 * returns after COMMIT. When the head is still where this store's last batch left it (the usual
 * case for one writer), locking and advancing the head and inserting the rows are one statement,
 * so a batch costs two round trips (statement, COMMIT) instead of four; a head another writer
 * moved makes that statement change nothing, and the batch takes the locking path. The application role needs only SELECT/INSERT on events and checkpoints (see the
 * module README for GRANTs); retention runs as another role with DELETE. Thread-safe.
 *
 * <p>Size: just over Bulwark's usual 600 lines: the schema, the append transaction with its fork
 * guard, reads, indexed queries and segment bookkeeping share one set of SQL statements.
 */
public final class JdbcAuditStore implements SegmentedAuditStore {

  /** One INSERT for a whole batch: the columns arrive as arrays (PostgreSQL unnest). */
  private static final String INSERT = "INSERT INTO bulwark_audit_event (log_id, seq, payload, chain_hash, prev_chain, mac,"
      + " recorded_at, occurred_at, actor_id, tenant, action, correlation_id)"
      + " SELECT ?, u.seq, u.payload, u.chain_hash, u.prev_chain, u.mac,"
      + " TIMESTAMPTZ '1970-01-01 00:00:00+00' + u.rs * INTERVAL '1 second' + u.rus * INTERVAL '1 microsecond',"
      + " TIMESTAMPTZ '1970-01-01 00:00:00+00' + u.os * INTERVAL '1 second' + u.ous * INTERVAL '1 microsecond',"
      + " u.actor_id, u.tenant, u.action, u.correlation_id"
      + " FROM unnest(?::bigint[], ?::bytea[], ?::bytea[], ?::bytea[], ?::bytea[], ?::bigint[], ?::bigint[], ?::bigint[],"
      + " ?::bigint[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[])"
      + " AS u(seq, payload, chain_hash, prev_chain, mac, rs, rus, os, ous, actor_id, tenant, action, correlation_id)";

  /**
   * The batch as one statement when the head is where this store left it:
   * the head row is advanced only if it still holds the expected next seq and chain hash (which
   * also locks it until the transaction ends), and the rows are inserted only if it was.
   * Nothing changes when the head moved; the caller then takes the locking path.
   */
  private static final String APPEND_AT_KNOWN_HEAD = "WITH head AS (UPDATE bulwark_audit_log SET next_seq = ?, last_chain = ?"
      + " WHERE log_id = ? AND next_seq = ? AND last_chain = ? RETURNING 1) " + INSERT + " WHERE EXISTS (SELECT 1 FROM head)";

  private final DataSource dataSource;
  private final Jdbc jdbc;
  private final String logId;
  /** The head this store last committed, so the next batch need not read it first; null if unknown. */
  private final java.util.concurrent.atomic.AtomicReference<KnownHead> knownHead = new java.util.concurrent.atomic.AtomicReference<>();

  private record KnownHead(long nextSeq, byte[] lastChain) {}

  /**
   * The audit tables: migrations {@code V1__tables.sql} and {@code V2__timestamptz.sql} under
   * {@code classpath:db/migration/bulwark-audit/}, for a host that runs its own Flyway or
   * Liquibase and constructs stores with {@code createSchema} false.
   */
  public static final JdbcSchema SCHEMA = JdbcSchema.builder("audit", JdbcAuditStore.class)
      .migrations("V1__tables.sql", "V2__timestamptz.sql")
      .table("bulwark_audit_log", "log_id varchar", "next_seq int8", "last_chain bytea", "base_seq int8", "base_text text",
          "open_segment int8")
      .table("bulwark_audit_event", "log_id varchar", "seq int8", "payload bytea", "chain_hash bytea", "prev_chain bytea",
          "mac bytea", "recorded_at timestamptz", "occurred_at timestamptz", "actor_id varchar", "tenant varchar",
          "action varchar", "correlation_id varchar")
      .table("bulwark_audit_checkpoint", "log_id varchar", "id", "note text")
      .table("bulwark_audit_segment", "log_id varchar", "first_seq int8", "sealed bool", "legal_hold bool")
      .build();

  /**
   * A store for log {@code logId}. With {@code createSchema} it applies the missing migrations of
   * {@link #SCHEMA} (in one transaction behind an advisory lock, so nodes may start together;
   * falling back to the check below for a role without CREATE); without, it runs no DDL and only
   * checks, reading, that the tables are there in their current shape (event times
   * {@code timestamptz}: a database made before 0.2.0 needs {@code V2__timestamptz.sql}).
   *
   * @throws AuditStoreException if the tables are missing or out of date, or the database fails
   */
  public JdbcAuditStore(DataSource dataSource, String logId, boolean createSchema) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.logId = Objects.requireNonNull(logId, "logId");
    if (logId.isEmpty() || logId.length() > 256) {
      throw new IllegalArgumentException("log id is 1-256 characters");
    }
    this.jdbc = Jdbc.of(dataSource, AuditStoreException::new);
    SCHEMA.apply(dataSource, createSchema, AuditStoreException::new);
    initLog();
  }

  /** A store that creates (or migrates) its schema. */
  public JdbcAuditStore(DataSource dataSource, String logId) {
    this(dataSource, logId, true);
  }

  private void initLog() {
    inTransaction(c -> {
      try (PreparedStatement p = c.prepareStatement(
          "INSERT INTO bulwark_audit_log (log_id, next_seq, last_chain, base_seq, base_text, open_segment)"
              + " VALUES (?, 0, ?, 0, ?, 0) ON CONFLICT (log_id) DO NOTHING")) {
        p.setString(1, logId);
        p.setBytes(2, new byte[32]);
        p.setString(3, PruneBase.GENESIS.toText());
        p.executeUpdate();
      }
      try (PreparedStatement p = c.prepareStatement(
          "INSERT INTO bulwark_audit_segment (log_id, first_seq, sealed, legal_hold) VALUES (?, 0, FALSE, FALSE)"
              + " ON CONFLICT (log_id, first_seq) DO NOTHING")) {
        p.setString(1, logId);
        p.executeUpdate();
      }
    });
  }

  @Override
  public StoreHead head() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement("SELECT next_seq, last_chain, base_text FROM bulwark_audit_log WHERE log_id = ?")) {
      p.setString(1, logId);
      try (ResultSet rs = p.executeQuery()) {
        if (!rs.next()) {
          throw new AuditStoreException("audit log " + logId + " has no head row");
        }
        return new StoreHead(rs.getLong(1), Bytes.of(rs.getBytes(2)), PruneBase.fromText(rs.getString(3)));
      }
    } catch (SQLException | IllegalArgumentException e) {
      throw new AuditStoreException("cannot read audit head: " + e.getMessage(), e);
    }
  }

  @Override
  public void append(List<StoredEvent> batch) {
    if (batch.isEmpty()) {
      return;
    }
    List<IndexFields> decoded = new ArrayList<>(batch.size());
    for (StoredEvent e : batch) {
      try {
        decoded.add(CanonicalEncoding.indexFields(e.payload()));
      } catch (AuditFormatException ex) {
        throw new AuditStoreException("refusing a non-canonical event: " + ex.getMessage(), ex);
      }
    }
    int n = batch.size();
    long first = batch.get(0).seq();
    boolean consecutive = true;
    for (int i = 0; i < n; i++) {
      consecutive &= batch.get(i).seq() == first + i;
    }
    byte[] batchChain = batch.get(n - 1).chainHash().toByteArray();
    KnownHead known = knownHead.getAndSet(null);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        if (known != null && consecutive && known.nextSeq() == first) {
          // Two round trips: head check, head update and insert in one statement, then COMMIT.
          int stored;
          try (PreparedStatement p = c.prepareStatement(APPEND_AT_KNOWN_HEAD)) {
            p.setLong(1, first + n);
            p.setBytes(2, batchChain);
            p.setString(3, logId);
            p.setLong(4, first);
            p.setBytes(5, known.lastChain());
            bindRows(c, p, 6, batch, decoded, known.lastChain());
            stored = p.executeUpdate();
          }
          if (stored == n) {
            c.commit();
            knownHead.set(new KnownHead(first + n, batchChain));
            return;
          }
          if (stored != 0) {
            throw new AuditStoreException("audit insert stored a different number of rows than the batch holds");
          }
          // Another writer moved the head (nothing was changed): read it under its lock below.
        }
        long next;
        byte[] prev;
        try (PreparedStatement p = c.prepareStatement("SELECT next_seq, last_chain FROM bulwark_audit_log WHERE log_id = ? FOR UPDATE")) {
          p.setString(1, logId);
          try (ResultSet rs = p.executeQuery()) {
            if (!rs.next()) {
              throw new AuditStoreException("audit log " + logId + " has no head row");
            }
            next = rs.getLong(1);
            prev = rs.getBytes(2);
          }
        }
        long expect = next;
        for (StoredEvent e : batch) {
          if (e.seq() != expect++) {
            throw new SequenceConflictException("batch starts at " + batch.get(0).seq() + " but the log is at " + next);
          }
        }
        // The whole batch in one INSERT: one array per column, unnested by the server. One
        // statement text, so driver and server keep its plan; one round trip however large.
        try (PreparedStatement p = c.prepareStatement(INSERT)) {
          bindRows(c, p, 1, batch, decoded, prev);
          if (p.executeUpdate() != n) {
            throw new AuditStoreException("audit insert stored a different number of rows than the batch holds");
          }
        }
        prev = batchChain;
        try (PreparedStatement p = c.prepareStatement("UPDATE bulwark_audit_log SET next_seq = ?, last_chain = ? WHERE log_id = ?")) {
          p.setLong(1, expect);
          p.setBytes(2, prev);
          p.setString(3, logId);
          p.executeUpdate();
        }
        c.commit();
        knownHead.set(new KnownHead(expect, batchChain));
      } catch (SQLException | RuntimeException e) {
        rollback(c);
        throw e;
      }
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState())) {
        throw new SequenceConflictException("fork guard: another writer holds that sequence number or predecessor");
      }
      throw new AuditStoreException("audit append failed (" + e.getMessage() + "); nothing was acknowledged", e);
    }
  }

  /**
   * Binds {@link #INSERT}'s parameters, from index {@code at}: the log id, then one array per
   * column; {@code prev} is the chain hash of the event before the batch.
   */
  private void bindRows(Connection c, PreparedStatement p, int at, List<StoredEvent> batch, List<IndexFields> decoded,
      byte[] prev) throws SQLException {
    int n = batch.size();
    Long[] seqs = new Long[n];
    byte[][] payloads = new byte[n][];
    byte[][] chains = new byte[n][];
    byte[][] prevs = new byte[n][];
    byte[][] macs = new byte[n][];
    Long[] recordedS = new Long[n];
    Long[] recordedUs = new Long[n];
    Long[] occurredS = new Long[n];
    Long[] occurredUs = new Long[n];
    String[] actors = new String[n];
    String[] tenants = new String[n];
    String[] actions = new String[n];
    String[] correlations = new String[n];
    byte[] before = prev;
    for (int i = 0; i < n; i++) {
      StoredEvent e = batch.get(i);
      IndexFields le = decoded.get(i);
      seqs[i] = e.seq();
      payloads[i] = e.payload().toByteArray();
      chains[i] = e.chainHash().toByteArray();
      prevs[i] = before;
      macs[i] = e.mac().toByteArray();
      // Whole seconds and microseconds apart, so the server's interval arithmetic stays exact.
      recordedS[i] = le.recordedAt().getEpochSecond();
      recordedUs[i] = (long) (le.recordedAt().getNano() / 1000);
      occurredS[i] = le.occurredAt().getEpochSecond();
      occurredUs[i] = (long) (le.occurredAt().getNano() / 1000);
      actors[i] = le.actorId();
      tenants[i] = le.tenant();
      actions[i] = le.action();
      correlations[i] = le.correlationId();
      before = chains[i];
    }
    p.setString(at, logId);
    p.setArray(at + 1, c.createArrayOf("bigint", seqs));
    p.setArray(at + 2, c.createArrayOf("bytea", payloads));
    p.setArray(at + 3, c.createArrayOf("bytea", chains));
    p.setArray(at + 4, c.createArrayOf("bytea", prevs));
    p.setArray(at + 5, c.createArrayOf("bytea", macs));
    p.setArray(at + 6, c.createArrayOf("bigint", recordedS));
    p.setArray(at + 7, c.createArrayOf("bigint", recordedUs));
    p.setArray(at + 8, c.createArrayOf("bigint", occurredS));
    p.setArray(at + 9, c.createArrayOf("bigint", occurredUs));
    p.setArray(at + 10, c.createArrayOf("varchar", actors));
    p.setArray(at + 11, c.createArrayOf("varchar", tenants));
    p.setArray(at + 12, c.createArrayOf("varchar", actions));
    p.setArray(at + 13, c.createArrayOf("varchar", correlations));
  }

  private static void rollback(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      // The connection is broken; the transaction is gone with it.
    }
  }

  @Override
  public Stream<StoredEvent> read(long fromSeq) {
    return stream("SELECT seq, payload, chain_hash, mac FROM bulwark_audit_event WHERE log_id = ? AND seq >= ? ORDER BY seq",
        List.of(logId, fromSeq));
  }

  @Override
  public Stream<StoredEvent> query(AuditQuery q) {
    StringBuilder sql = new StringBuilder("SELECT seq, payload, chain_hash, mac FROM bulwark_audit_event WHERE log_id = ?");
    List<Object> args = new ArrayList<>(List.of(logId));
    if (q.from() != null) {
      sql.append(" AND recorded_at >= ?");
      args.add(OffsetDateTime.ofInstant(q.from(), ZoneOffset.UTC));
    }
    if (q.to() != null) {
      sql.append(" AND recorded_at < ?");
      args.add(OffsetDateTime.ofInstant(q.to(), ZoneOffset.UTC));
    }
    if (q.actorId() != null) {
      sql.append(" AND actor_id = ?");
      args.add(q.actorId());
    }
    if (q.tenant() != null) {
      sql.append(" AND tenant = ?");
      args.add(q.tenant());
    }
    if (q.action() != null) {
      sql.append(" AND action = ?");
      args.add(q.action());
    }
    if (q.correlationId() != null) {
      sql.append(" AND correlation_id = ?");
      args.add(q.correlationId());
    }
    sql.append(" ORDER BY seq");
    return stream(sql.toString(), args);
  }

  private Stream<StoredEvent> stream(String sql, List<Object> args) {
    Connection c = null;
    try {
      c = dataSource.getConnection();
      c.setAutoCommit(false); // PostgreSQL streams with a cursor only inside a transaction
      PreparedStatement p = c.prepareStatement(sql);
      p.setFetchSize(1000);
      for (int i = 0; i < args.size(); i++) {
        p.setObject(i + 1, args.get(i));
      }
      ResultSet rs = p.executeQuery();
      Connection conn = c;
      Iterator<StoredEvent> it = new Iterator<>() {
        private StoredEvent next;
        private boolean done;

        @Override
        public boolean hasNext() {
          if (next == null && !done) {
            try {
              if (rs.next()) {
                next = row(rs);
              } else {
                done = true;
                // Exhausted: give the connection back even if the caller forgets to close the stream.
                closeQuietly(rs, p, conn);
              }
            } catch (SQLException e) {
              throw new AuditStoreException("reading audit events failed: " + e.getMessage(), e);
            }
          }
          return next != null;
        }

        @Override
        public StoredEvent next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          StoredEvent e = next;
          next = null;
          return e;
        }
      };
      return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false)
          .onClose(() -> closeQuietly(rs, p, conn));
    } catch (SQLException e) {
      if (c != null) {
        closeQuietly(null, null, c);
      }
      throw new AuditStoreException("cannot read audit events: " + e.getMessage(), e);
    }
  }

  private StoredEvent row(ResultSet rs) throws SQLException {
    long seq = rs.getLong(1);
    byte[] payload = rs.getBytes(2);
    byte[] chain = rs.getBytes(3);
    byte[] mac = rs.getBytes(4);
    String location = "bulwark_audit_event(" + logId + "," + seq + ")";
    if (seq < 0 || seq > StoredEvent.MAX_SEQ) {
      return StoredEvent.damaged(-1, location, "malformed row: sequence number " + seq + " is outside [0, 2^62)");
    }
    if (payload == null || chain == null || chain.length != 32 || mac == null || (mac.length != 0 && mac.length != 32)) {
      return StoredEvent.damaged(seq, location, "row has a missing or malformed hash column");
    }
    return StoredEvent.of(seq, Bytes.of(payload), Bytes.of(chain), Bytes.of(mac), location);
  }

  private static void closeQuietly(ResultSet rs, Statement s, Connection c) {
    for (AutoCloseable a : new AutoCloseable[] {rs, s}) {
      if (a != null) {
        try {
          a.close();
        } catch (Exception e) {
          // closing a finished read
        }
      }
    }
    try {
      c.rollback();
      c.close();
    } catch (SQLException e) {
      // closing a finished read
    }
  }

  @Override
  public void putCheckpoint(String note) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement("INSERT INTO bulwark_audit_checkpoint (log_id, note) VALUES (?, ?)")) {
      p.setString(1, logId);
      p.setString(2, note);
      p.executeUpdate();
    } catch (SQLException e) {
      throw new AuditStoreException("cannot store checkpoint: " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> checkpoints() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement("SELECT note FROM bulwark_audit_checkpoint WHERE log_id = ? ORDER BY id")) {
      p.setString(1, logId);
      List<String> out = new ArrayList<>();
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new AuditStoreException("cannot read checkpoints: " + e.getMessage(), e);
    }
  }

  @Override
  public List<Segment> segments() {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      long next;
      try (PreparedStatement p = c.prepareStatement("SELECT next_seq FROM bulwark_audit_log WHERE log_id = ?")) {
        p.setString(1, logId);
        try (ResultSet rs = p.executeQuery()) {
          rs.next();
          next = rs.getLong(1);
        }
      }
      List<long[]> rows = new ArrayList<>();
      try (PreparedStatement p = c.prepareStatement(
          "SELECT first_seq, sealed, legal_hold FROM bulwark_audit_segment WHERE log_id = ? ORDER BY first_seq")) {
        p.setString(1, logId);
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            rows.add(new long[] {rs.getLong(1), rs.getBoolean(2) ? 1 : 0, rs.getBoolean(3) ? 1 : 0});
          }
        }
      }
      c.commit();
      List<Segment> out = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        long first = rows.get(i)[0];
        long last = i + 1 < rows.size() ? rows.get(i + 1)[0] - 1 : next - 1;
        out.add(new Segment(first, Math.max(last, first - 1), rows.get(i)[1] == 1, rows.get(i)[2] == 1));
      }
      return out;
    } catch (SQLException e) {
      throw new AuditStoreException("cannot read segments: " + e.getMessage(), e);
    }
  }

  @Override
  public void seal(long nextSeq) {
    inTransaction(c -> {
      long[] head = lockHead(c);
      if (head[0] != nextSeq) {
        throw new AuditStoreException("seal at " + nextSeq + " but the log ends at " + head[0]);
      }
      if (head[1] == nextSeq) {
        return;
      }
      update(c, "UPDATE bulwark_audit_segment SET sealed = TRUE WHERE log_id = ? AND first_seq = ?", head[1]);
      update(c, "INSERT INTO bulwark_audit_segment (log_id, first_seq, sealed, legal_hold) VALUES (?, ?, FALSE, FALSE)", nextSeq);
      update(c, "UPDATE bulwark_audit_log SET open_segment = ? WHERE log_id = ?", nextSeq);
    });
  }

  @Override
  public void setLegalHold(long segmentFirstSeq, boolean held) {
    inTransaction(c -> {
      try (PreparedStatement p = c.prepareStatement(
          "UPDATE bulwark_audit_segment SET legal_hold = ? WHERE log_id = ? AND first_seq = ?")) {
        p.setBoolean(1, held);
        p.setString(2, logId);
        p.setLong(3, segmentFirstSeq);
        if (p.executeUpdate() != 1) {
          throw new AuditStoreException("no segment starts at " + segmentFirstSeq);
        }
      }
    });
  }

  @Override
  public void prune(PruneBase newBase) {
    long cut = newBase.firstSeq();
    inTransaction(c -> {
      lockHead(c);
      boolean boundary = false;
      try (PreparedStatement p = c.prepareStatement(
          "SELECT first_seq, sealed, legal_hold FROM bulwark_audit_segment WHERE log_id = ? ORDER BY first_seq FOR UPDATE")) {
        p.setString(1, logId);
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            if (rs.getLong(1) == cut) {
              boundary = true;
              break;
            }
            if (!rs.getBoolean(2) || rs.getBoolean(3)) {
              throw new AuditStoreException("segment " + rs.getLong(1) + " is unsealed or held; nothing removed");
            }
          }
        }
      }
      if (!boundary) {
        throw new AuditStoreException("prune cut " + cut + " is not a segment boundary; nothing removed");
      }
      try (PreparedStatement p = c.prepareStatement("UPDATE bulwark_audit_log SET base_seq = ?, base_text = ? WHERE log_id = ?")) {
        p.setLong(1, cut);
        p.setString(2, newBase.toText());
        p.setString(3, logId);
        p.executeUpdate();
      }
      update(c, "DELETE FROM bulwark_audit_event WHERE log_id = ? AND seq < ?", cut);
      update(c, "DELETE FROM bulwark_audit_segment WHERE log_id = ? AND first_seq < ?", cut);
    });
  }

  private long[] lockHead(Connection c) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT next_seq, open_segment FROM bulwark_audit_log WHERE log_id = ? FOR UPDATE")) {
      p.setString(1, logId);
      try (ResultSet rs = p.executeQuery()) {
        if (!rs.next()) {
          throw new AuditStoreException("audit log " + logId + " has no head row");
        }
        return new long[] {rs.getLong(1), rs.getLong(2)};
      }
    }
  }

  private void update(Connection c, String sql, long value) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(sql)) {
      if (sql.startsWith("UPDATE bulwark_audit_log")) {
        p.setLong(1, value);
        p.setString(2, logId);
      } else {
        p.setString(1, logId);
        p.setLong(2, value);
      }
      p.executeUpdate();
    }
  }

  @FunctionalInterface
  private interface Tx {
    void run(Connection c) throws SQLException;
  }

  /** One transaction through bulwark-common's helper (rolls back on any failure, restores auto-commit). */
  private void inTransaction(Tx tx) {
    jdbc.inTransaction("audit store update", c -> {
      tx.run(c);
      return null;
    });
  }

  /** The log id. */
  public String logId() {
    return logId;
  }

  @Override
  public void close() {
    // Connections are borrowed per call; the host owns the DataSource.
  }
}
