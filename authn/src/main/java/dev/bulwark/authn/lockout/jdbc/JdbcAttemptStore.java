package dev.bulwark.authn.lockout.jdbc;

import dev.bulwark.authn.AuthnStoreException;
import dev.bulwark.authn.internal.AuthnSchema;
import dev.bulwark.common.internal.jdbc.Coalescer;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.common.jdbc.JdbcStoreBuilder;
import dev.bulwark.common.jdbc.Timestamps;
import dev.bulwark.authn.lockout.Attempts;
import dev.bulwark.authn.lockout.LockoutRule;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * {@link AttemptStore} in PostgreSQL (table {@code bulwark_authn_attempts} in the connection's
 * current schema; times are {@code timestamptz}). Application nodes sharing the database share
 * the counts. The table comes from the module's migrations ({@code db/migration/bulwark-authn/}),
 * applied on start unless built with {@link Builder#createSchema createSchema(false)}.
 *
 * <p>Each failure is one {@code INSERT ... ON CONFLICT DO UPDATE ... RETURNING} statement: the
 * database increments under the row lock and returns the new count, so concurrent failures on any
 * number of nodes are never lost or double-counted, and no transaction spans a round trip. The
 * failures of one login (account, factor, source) go in one such statement
 * ({@link #recordFailures}), and its check reads the keys in one {@code SELECT} ({@link #getAll}):
 * two round trips per failed login step, no lock held between them.
 *
 * <p>{@link #reserve}, which counts a login attempt before it is verified, decides and counts in
 * one such statement; attempts that arrive together share it (see there), so a flood of logins
 * costs the database a few statements and commits per batch of attempts rather than one each.
 *
 * <p>Thread-safe; give it a pooled {@link DataSource}. {@link #purgeExpired()} deletes expired,
 * non-disabled rows; schedule it. SQL errors surface as {@link AuthnStoreException} with the
 * cause attached.
 */
public final class JdbcAttemptStore implements AttemptStore {

  static final String TABLE = "bulwark_authn_attempts";

  private static final String RECORD =
      "INSERT INTO " + TABLE + " AS a (attempt_key, failures, last_failure_at, expires_at, disabled) "
          + "VALUES (?, 1, ?, ?, ?) "
          + "ON CONFLICT (attempt_key) DO UPDATE SET "
          + "failures = CASE WHEN a.disabled OR a.expires_at > EXCLUDED.last_failure_at THEN a.failures + 1 ELSE 1 END, "
          + "disabled = a.disabled "
          + "  OR (CASE WHEN a.disabled OR a.expires_at > EXCLUDED.last_failure_at THEN a.failures + 1 ELSE 1 END) >= ?, "
          + "last_failure_at = EXCLUDED.last_failure_at, "
          + "expires_at = EXCLUDED.expires_at "
          + "RETURNING failures, last_failure_at, disabled";

  private final DataSource dataSource;
  private final InstantSource clock;

  /** The tables and columns this store reads, with the module's migrations. */
  static final JdbcSchema SCHEMA = AuthnSchema.builder()
      .table(TABLE, "attempt_key varchar", "failures int8", "last_failure_at timestamptz", "expires_at timestamptz",
          "disabled bool")
      .build();

  /**
   * Applies the module's migrations if needed (see {@link Builder#createSchema}). {@code clock}
   * is used by {@link #purgeExpired()}.
   *
   * @throws AuthnStoreException if the table cannot be made or read
   */
  public JdbcAttemptStore(DataSource dataSource, InstantSource clock) {
    this(builder(dataSource, clock));
  }

  private JdbcAttemptStore(Builder b) {
    this.dataSource = b.dataSource();
    this.clock = b.clock;
    this.coalescer = new Coalescer<>(b.statementsInFlight, MAX_KEYS, JdbcAttemptStore::keysOf, this::reserveGroup);
    AuthnSchema.apply(SCHEMA, dataSource, b.createsSchema());
  }

  /** A builder; {@code createSchema} is optional. */
  public static Builder builder(DataSource dataSource, InstantSource clock) {
    return new Builder(dataSource, clock);
  }

  /** Settings of a {@link JdbcAttemptStore} (see {@link JdbcStoreBuilder#createSchema}). */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcAttemptStore> {
    private final InstantSource clock;
    private int statementsInFlight = MAX_IN_FLIGHT;

    private Builder(DataSource dataSource, InstantSource clock) {
      super(dataSource);
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * How many {@link JdbcAttemptStore#reserve reserve} statements this store runs at once
     * (default {@value JdbcAttemptStore#MAX_IN_FLIGHT}, so at most that many pooled connections).
     * Attempts that arrive while they are all in flight wait and share the next statement: fewer
     * allow larger statements (less database work per attempt), more overlap commits on a
     * database with more cores. Each attempt is decided exactly the same either way.
     *
     * @throws IllegalArgumentException if {@code n} is below 1
     */
    public Builder statementsInFlight(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("statementsInFlight must be at least 1");
      }
      this.statementsInFlight = n;
      return this;
    }

    /** @throws AuthnStoreException if the table cannot be made, is missing or has other columns */
    @Override
    public JdbcAttemptStore build() {
      return new JdbcAttemptStore(this);
    }
  }

  @Override
  public Attempts get(String key, Instant now) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(now, "now");
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT failures, last_failure_at, expires_at, disabled FROM " + TABLE + " WHERE attempt_key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Attempts.NONE;
        }
        boolean disabled = rs.getBoolean(4);
        if (!disabled && (!Timestamps.get(rs, 3).isAfter(now) || rs.getLong(1) == 0)) {
          return Attempts.NONE;
        }
        return new Attempts(rs.getLong(1), Timestamps.get(rs, 2), disabled);
      }
    } catch (SQLException e) {
      throw new AuthnStoreException("could not read failed attempts", e);
    }
  }

  /**
   * Reads all {@code keys} in one query: one primary-key lookup per key, joined by
   * {@code UNION ALL}. Not {@code IN (...)} or {@code = ANY(...)}: a driver that prepares the
   * statement on the server gets a generic plan, and a generic plan made while the table is small
   * is a sequential scan, kept until the table is next analyzed; on a table that has grown to tens
   * of thousands of rows in the meantime every check then scans it all (this was the cost of the
   * whole lockout step in a fresh database: ~20 ms per check at 30,000 rows). An equality on the
   * primary key is planned as an index scan at any size.
   */
  @Override
  public Map<String, Attempts> getAll(Collection<String> keys, Instant now) {
    Objects.requireNonNull(now, "now");
    List<String> list = List.copyOf(keys);
    Map<String, Attempts> out = new LinkedHashMap<>();
    for (String k : list) {
      out.put(k, Attempts.NONE);
    }
    if (list.isEmpty()) {
      return out;
    }
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(readManySql(list.size()))) {
      for (int i = 0; i < list.size(); i++) {
        ps.setString(i + 1, list.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          boolean disabled = rs.getBoolean(5);
          if (disabled || (Timestamps.get(rs, 4).isAfter(now) && rs.getLong(2) > 0)) {
            out.put(rs.getString(1), new Attempts(rs.getLong(2), Timestamps.get(rs, 3), disabled));
          }
        }
      }
    } catch (SQLException e) {
      throw new AuthnStoreException("could not read failed attempts", e);
    }
    return out;
  }

  @Override
  public Attempts recordFailure(String key, Instant now, Instant expiresAt, long disableAt) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(expiresAt, "expiresAt");
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(RECORD)) {
      ps.setString(1, key);
      Timestamps.set(ps, 2, now);
      Timestamps.set(ps, 3, expiresAt);
      ps.setBoolean(4, 1 >= disableAt);
      ps.setLong(5, disableAt);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new AuthnStoreException("recording a failed attempt returned no row");
        }
        return new Attempts(rs.getLong(1), Timestamps.get(rs, 2), rs.getBoolean(3));
      }
    } catch (SQLException e) {
      throw new AuthnStoreException("could not record a failed attempt", e);
    }
  }

  /**
   * All failures in one statement, one round trip, one commit: a multi-row
   * {@code INSERT ... ON CONFLICT DO UPDATE ... RETURNING} whose rows are taken in key order, so
   * concurrent callers lock shared rows in the same order and cannot deadlock. The statement is
   * atomic: if it fails, no count changes.
   *
   * @throws IllegalArgumentException if a key appears twice (one statement can update a row once)
   */
  @Override
  public List<Attempts> recordFailures(List<Failure> failures) {
    List<Failure> list = List.copyOf(failures);
    int n = list.size();
    if (n == 0) {
      return List.of();
    }
    if (n == 1) {
      Failure f = list.get(0);
      return List.of(recordFailure(f.key(), f.at(), f.expiresAt(), f.disableAt()));
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < n; i++) {
      if (index.put(list.get(i).key(), i) != null) {
        throw new IllegalArgumentException("recordFailures needs distinct keys");
      }
    }
    Attempts[] out = new Attempts[n];
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(recordManySql(n))) {
      int p = 1;
      for (Failure f : list) {
        ps.setString(p++, f.key());
        Timestamps.set(ps, p++, f.at());
        Timestamps.set(ps, p++, f.expiresAt());
        ps.setLong(p++, f.disableAt());
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Integer i = index.get(rs.getString(1));
          if (i == null || out[i] != null) {
            throw new AuthnStoreException("recording failed attempts returned an unexpected row");
          }
          out[i] = new Attempts(rs.getLong(2), Timestamps.get(rs, 3), rs.getBoolean(4));
        }
      }
    } catch (SQLException e) {
      throw new AuthnStoreException("could not record failed attempts", e);
    }
    for (Attempts a : out) {
      if (a == null) {
        throw new AuthnStoreException("recording failed attempts returned too few rows");
      }
    }
    return List.of(out);
  }

  /**
   * One statement, one round trip when admitted: an {@code INSERT ... ON CONFLICT DO UPDATE ...
   * WHERE} over the keys in key order, whose {@code WHERE} is {@link LockoutRule#admits} on the
   * row as it stands under the row lock. A key without a live row always admits (its count
   * restarts at 1), so there is no window between a read and a write, not even when two attempts
   * create a row together. The statement returns the rows it counted; when it returns fewer than
   * the keys, the attempt is refused: the keys that admitted are refunded and the current records
   * are read for the answer (two more round trips, on the refusal path only), so the attempt counts
   * nowhere. A deadlock is retried.
   *
   * <p>Concurrent attempts share statements: while attempts are in flight, those that arrive wait
   * and the next free caller sends all of them that share no key in one statement (at most
   * {@link Builder#statementsInFlight} statements in flight per store, {@value #MAX_IN_FLIGHT} by
   * default, and at most {@value #MAX_KEYS} keys per statement). Each attempt in it is still decided on its own keys under their row locks; two
   * attempts on one key go to successive statements. Under a flood of logins this turns N
   * statements and commits into a few; a lone attempt runs at once on its caller's thread.
   *
   * @throws IllegalArgumentException if a key appears twice or is longer than 1,024 characters, or
   *     a time is before the year -4000 or after the year 200,000
   */
  @Override
  public Admission reserve(List<Reservation> reservations) {
    List<Reservation> list = List.copyOf(reservations);
    int n = list.size();
    if (n == 0) {
      return new Admission(true, List.of());
    }
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (Reservation r : list) {
      if (!keys.add(r.key())) {
        throw new IllegalArgumentException("reserve needs distinct keys");
      }
      // Checked here, not by the database: the attempt may share a statement with others, and a
      // value the statement cannot take must fail this attempt alone.
      if (r.key().length() > MAX_KEY_CHARS) {
        throw new IllegalArgumentException("a lockout key is at most " + MAX_KEY_CHARS + " characters");
      }
      for (Instant t : List.of(r.at(), r.expiresAt())) {
        if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
          throw new IllegalArgumentException("reservation time out of range: " + t);
        }
      }
    }
    return coalescer.submit(list);
  }

  /** The longest key the table holds ({@code varchar(1024)}). */
  static final int MAX_KEY_CHARS = 1024;

  /** The default of {@link Builder#statementsInFlight}. */
  static final int MAX_IN_FLIGHT = 4;

  /** The most keys one {@link #reserve} statement counts (about 16 login attempts). */
  static final int MAX_KEYS = 48;

  private final Coalescer<List<Reservation>, Admission> coalescer;

  private static List<String> keysOf(List<Reservation> attempt) {
    List<String> keys = new ArrayList<>(attempt.size());
    for (Reservation r : attempt) {
      keys.add(r.key());
    }
    return keys;
  }

  /** Reserves attempts that share no key in one statement, retrying a deadlock. */
  private List<Admission> reserveGroup(List<List<Reservation>> attempts) {
    for (int attempt = 1; ; attempt++) {
      try {
        return reserveOnce(attempts);
      } catch (SQLException e) {
        if (!"40P01".equals(e.getSQLState()) || attempt >= 3) {
          throw new AuthnStoreException("could not reserve an attempt", e);
        }
      }
    }
  }

  private List<Admission> reserveOnce(List<List<Reservation>> attempts) throws SQLException {
    List<Reservation> all = new ArrayList<>();
    for (List<Reservation> a : attempts) {
      all.addAll(a);
    }
    int n = all.size();
    Map<String, Integer> index = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      index.put(all.get(i).key(), i);
    }
    Attempts[] after = new Attempts[n];
    long[][] values = new long[RULE_COLUMNS.length][n];
    int uniform = 0;
    for (int column = 0; column < RULE_COLUMNS.length; column++) {
      boolean same = true;
      for (int i = 0; i < n; i++) {
        values[column][i] = ruleValue(all.get(i).rule(), RULE_COLUMNS[column]);
        same &= values[column][i] == values[column][0];
      }
      if (same) {
        uniform |= 1 << column;
      }
    }
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(reserveSql(n, uniform))) {
      int p = 1;
      for (Reservation r : all) {
        ps.setString(p++, r.key());
        p = setMicros(ps, p, r.at());
        p = setMicros(ps, p, r.expiresAt());
        ps.setBoolean(p++, r.rule().disableAt() <= 1);
      }
      // The per-key rule values, in the order the statement names them (see RULE_USES): one value
      // when every key has the same, else a CASE on the key.
      for (int use : RULE_USES) {
        if ((uniform & (1 << use)) != 0) {
          ps.setLong(p++, values[use][0]);
          continue;
        }
        for (int i = 0; i < n; i++) {
          ps.setString(p++, all.get(i).key());
          ps.setLong(p++, values[use][i]);
        }
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Integer i = index.get(rs.getString(1));
          if (i == null || after[i] != null) {
            throw new AuthnStoreException("reserving an attempt returned an unexpected row");
          }
          // A counted row's last failure is this attempt's time (the statement sets it).
          after[i] = new Attempts(rs.getLong(2), Timestamps.truncate(all.get(i).at()), rs.getBoolean(3));
        }
      }
    }
    // Per attempt: admitted when every key counted it; otherwise refund the keys that did.
    List<Admission> out = new ArrayList<>(attempts.size());
    List<Reservation> refund = new ArrayList<>();
    List<String> refusedKeys = new ArrayList<>();
    int first = 0;
    for (List<Reservation> a : attempts) {
      boolean admitted = true;
      for (int i = first; i < first + a.size(); i++) {
        admitted &= after[i] != null;
      }
      if (admitted) {
        out.add(new Admission(true, List.of(java.util.Arrays.copyOfRange(after, first, first + a.size()))));
      } else {
        out.add(null);
        for (int i = first; i < first + a.size(); i++) {
          refusedKeys.add(all.get(i).key());
          if (after[i] != null) {
            refund.add(all.get(i));
          }
        }
      }
      first += a.size();
    }
    if (refusedKeys.isEmpty()) {
      return out;
    }
    refund(refund);
    Map<String, Attempts> current = getAll(refusedKeys, all.get(0).at());
    for (int a = 0; a < attempts.size(); a++) {
      if (out.get(a) == null) {
        List<Attempts> records = new ArrayList<>(attempts.get(a).size());
        for (Reservation r : attempts.get(a)) {
          records.add(current.getOrDefault(r.key(), Attempts.NONE));
        }
        out.set(a, new Admission(false, records));
      }
    }
    return out;
  }

  /** The rule values a reservation carries: disableAt, freeFailures, maxDelay, initialDelay. */
  private static final char[] RULE_COLUMNS = {'d', 'f', 'm', 'i'};

  /**
   * The rule values in the order the reserve statement names them: disableAt (in the update), then
   * freeFailures, maxDelay, initialDelay and freeFailures again (in the admission test).
   */
  private static final int[] RULE_USES = {0, 1, 2, 3, 1};

  private static long ruleValue(LockoutRule rule, char which) {
    switch (which) {
      case 'd':
        return rule.disableAt();
      case 'f':
        return rule.freeFailures();
      case 'i':
        return ceilMillis(rule.initialDelay());
      default:
        return ceilMillis(rule.maxDelay());
    }
  }

  private static long ceilMillis(java.time.Duration d) {
    try {
      long ms = d.toMillis();
      return d.minusMillis(ms).isZero() ? ms : ms + 1;
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * One count less on each key (never below zero; a row at zero reads as no record), re-enabling
   * a key this drops below its {@code disableAt}: one {@code UPDATE} per key, in key order, sent
   * as one batch.
   */
  @Override
  public void refund(List<Reservation> reservations) {
    List<Reservation> list = new ArrayList<>(reservations);
    if (list.isEmpty()) {
      return;
    }
    list.sort(java.util.Comparator.comparing(Reservation::key));
    // One UPDATE under the row lock, so concurrent refunds and failures never lose a count. A row
    // left at zero reads as no record (see get) and is deleted by purgeExpired.
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
        "UPDATE " + TABLE + " SET failures = failures - 1, disabled = disabled AND failures - 1 >= ? "
            + "WHERE attempt_key = ? AND failures > 0")) {
      for (Reservation r : list) {
        ps.setLong(1, r.rule().disableAt());
        ps.setString(2, r.key());
        ps.addBatch();
      }
      ps.executeBatch();
    } catch (SQLException e) {
      throw new AuthnStoreException("could not refund an attempt", e);
    }
  }

  private static String reserveSql(int n, int uniform) {
    int cacheKey = n * 16 + uniform;
    String sql = RESERVE.get(cacheKey);
    if (sql == null) {
      sql = buildReserveSql(n, uniform);
      if (n <= MAX_KEYS) {
        RESERVE.putIfAbsent(cacheKey, sql);
      }
    }
    return sql;
  }

  /** The statement text per number of keys and set of uniform rule values. */
  private static final java.util.concurrent.ConcurrentHashMap<Integer, String> RESERVE =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The upsert of {@link #recordFailures} over the reservations in key order (the lock order),
   * with a {@code WHERE} on the conflicting row that is {@link LockoutRule#admits}: the row is not
   * live (expired and not disabled), or it is not disabled and has no more failures than are free
   * or the wait for them ({@code initial * 2^(failures - free - 1)}, at most {@code max}) is over.
   * {@code EXCLUDED} carries only table columns, so each rule value is a {@code CASE} on the key
   * (a bare value when every key has the same). The rows come from an inline {@code VALUES} list, not a
   * {@code WITH} list: a common table expression read by the update's subqueries is materialized
   * and scanned per row, which cost a third of the statement's throughput. Only counted rows are
   * returned, without their time (it is the attempt's).
   */
  private static String buildReserveSql(int n, int uniform) {
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(TABLE)
        .append(" AS a (attempt_key, failures, last_failure_at, expires_at, disabled) ")
        .append("SELECT k, 1, ").append(microsToTimestamp("at_us")).append(", ").append(microsToTimestamp("expires_us"))
        .append(", disabled_now FROM (VALUES ");
    for (int i = 0; i < n; i++) {
      sql.append(i == 0 ? "" : ", ")
          .append("(CAST(? AS VARCHAR(1024)), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BOOLEAN))");
    }
    String disableAt = ruleCase(n, uniform, 0);
    String free = ruleCase(n, uniform, 1);
    String max = ruleCase(n, uniform, 2);
    String initial = ruleCase(n, uniform, 3);
    String freeInWait = ruleCase(n, uniform, 1);
    String live = "(a.disabled OR a.expires_at > EXCLUDED.last_failure_at)";
    String next = "CASE WHEN " + live + " THEN a.failures + 1 ELSE 1 END";
    String wait = "LEAST(CAST(" + max + " AS DOUBLE PRECISION), CAST(" + initial + " AS DOUBLE PRECISION) * "
        + "power(CAST(2 AS DOUBLE PRECISION), CAST(LEAST(a.failures - " + freeInWait
        + " - 1, 1000) AS DOUBLE PRECISION)))";
    return sql.append(") v (k, at_us, expires_us, disabled_now) ORDER BY k ")
        .append("ON CONFLICT (attempt_key) DO UPDATE SET ")
        .append("failures = ").append(next).append(", ")
        .append("disabled = a.disabled OR (").append(next).append(") >= ").append(disableAt)
        .append(", last_failure_at = EXCLUDED.last_failure_at, ")
        .append("expires_at = EXCLUDED.expires_at ")
        .append("WHERE NOT ").append(live).append(" OR (NOT a.disabled AND (a.failures <= ").append(free)
        .append(" OR CAST(EXTRACT(EPOCH FROM EXCLUDED.last_failure_at - a.last_failure_at) AS DOUBLE PRECISION) * 1000 >= ")
        .append(wait)
        .append(")) RETURNING a.attempt_key, a.failures, a.disabled")
        .toString();
  }

  /**
   * A time sent to the reserve statement: microseconds since the epoch, one {@code bigint} bound
   * as a binary number (formatting timestamp text was a tenth of the client's work per attempt).
   * PostgreSQL scales a number by an interval in double precision, exact only below 2^53, so the
   * statement splits the count at 2^20 seconds with integer division and scales each part, both
   * exact: the time stored is exact over the whole range {@link #reserve} accepts. The column
   * stays {@code timestamptz}.
   */
  private static String microsToTimestamp(String column) {
    return "(TIMESTAMPTZ 'epoch' + (" + column + " / 1048576000000) * INTERVAL '1048576 seconds' + (" + column
        + " % 1048576000000) * INTERVAL '1 microsecond')";
  }

  /** The earliest and latest times {@link #reserve} accepts (PostgreSQL's own range is wider). */
  static final Instant EARLIEST = Instant.parse("-4000-01-01T00:00:00Z");
  static final Instant LATEST = Instant.parse("+200000-01-01T00:00:00Z");

  private static int setMicros(PreparedStatement ps, int p, Instant t) throws SQLException {
    ps.setLong(p, Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000));
    return p + 1;
  }


  /**
   * One rule value per key: {@code CASE EXCLUDED.attempt_key WHEN ? THEN ? ... END}, or
   * {@code ?} when every key has the same value ({@code uniform} has the column's bit).
   */
  private static String ruleCase(int n, int uniform, int column) {
    if ((uniform & (1 << column)) != 0) {
      return "CAST(? AS BIGINT)";
    }
    StringBuilder sql = new StringBuilder("CASE EXCLUDED.attempt_key");
    for (int i = 0; i < n; i++) {
      sql.append(" WHEN CAST(? AS VARCHAR(1024)) THEN CAST(? AS BIGINT)");
    }
    return sql.append(" END").toString();
  }

  private static String readManySql(int n) {
    if (n < READ_MANY.length) {
      return READ_MANY[n];
    }
    return buildReadManySql(n);
  }

  private static final String[] READ_MANY = new String[8];

  static {
    for (int i = 1; i < READ_MANY.length; i++) {
      READ_MANY[i] = buildReadManySql(i);
    }
  }

  private static String buildReadManySql(int n) {
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sql.append(i == 0 ? "" : " UNION ALL ")
          .append("SELECT attempt_key, failures, last_failure_at, expires_at, disabled FROM ")
          .append(TABLE)
          .append(" WHERE attempt_key = ?");
    }
    return sql.toString();
  }

  /**
   * The statement for {@code n} failures. The rows come from a VALUES list sorted by key (the
   * lock order); a row's {@code disableAt} is looked up in that list, since {@code EXCLUDED} only
   * carries table columns. Cached per size: Lockout always sends two or three.
   */
  private static String recordManySql(int n) {
    if (n < RECORD_MANY.length) {
      return RECORD_MANY[n];
    }
    return buildRecordManySql(n);
  }

  private static final String[] RECORD_MANY = new String[8];

  static {
    for (int i = 2; i < RECORD_MANY.length; i++) {
      RECORD_MANY[i] = buildRecordManySql(i);
    }
  }

  private static String buildRecordManySql(int n) {
    StringBuilder sql = new StringBuilder("WITH v (k, at_t, expires_t, disable_at) AS (VALUES ");
    for (int i = 0; i < n; i++) {
      sql.append(i == 0 ? "" : ", ")
          .append("(CAST(? AS VARCHAR(1024)), CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ), CAST(? AS BIGINT))");
    }
    String next = "CASE WHEN a.disabled OR a.expires_at > EXCLUDED.last_failure_at THEN a.failures + 1 ELSE 1 END";
    return sql.append(") INSERT INTO ").append(TABLE)
        .append(" AS a (attempt_key, failures, last_failure_at, expires_at, disabled) ")
        .append("SELECT k, 1, at_t, expires_t, disable_at <= 1 FROM v ORDER BY k ")
        .append("ON CONFLICT (attempt_key) DO UPDATE SET ")
        .append("failures = ").append(next).append(", ")
        .append("disabled = a.disabled OR (").append(next)
        .append(") >= (SELECT v.disable_at FROM v WHERE v.k = EXCLUDED.attempt_key), ")
        .append("last_failure_at = EXCLUDED.last_failure_at, ")
        .append("expires_at = EXCLUDED.expires_at ")
        .append("RETURNING attempt_key, failures, last_failure_at, disabled")
        .toString();
  }

  @Override
  public void reset(String key) {
    Objects.requireNonNull(key, "key");
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE attempt_key = ?")) {
      ps.setString(1, key);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new AuthnStoreException("could not reset failed attempts", e);
    }
  }

  /**
   * Deletes expired rows that are not disabled, and rows whose counts were all refunded; returns
   * how many. Rows that a failure is updating
   * at that moment are skipped ({@code SKIP LOCKED}; the next purge takes them if they are still
   * expired), so a purge never waits for, or deadlocks with, a login.
   */
  public int purgeExpired() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "DELETE FROM " + TABLE + " WHERE attempt_key IN (SELECT attempt_key FROM " + TABLE
                + " WHERE (expires_at <= ? OR failures = 0) AND NOT disabled FOR UPDATE SKIP LOCKED)")) {
      Timestamps.set(ps, 1, clock.instant());
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new AuthnStoreException("could not purge expired attempts", e);
    }
  }

  @Override
  public String toString() {
    return "JdbcAttemptStore[" + TABLE + "]";
  }
}
