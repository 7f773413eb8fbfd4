package dev.bulwark.detect.jdbc;

import dev.bulwark.common.internal.jdbc.JdbcStoreSettings;
import dev.bulwark.common.internal.jdbc.TimedJdbc;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.common.jdbc.JdbcStoreBuilder;
import dev.bulwark.common.jdbc.Timestamps;
import dev.bulwark.detect.DetectStoreException;
import dev.bulwark.detect.spi.DetectState;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * {@link DetectState} in PostgreSQL (tables {@code bulwark_detect_window}, {@code bulwark_detect_member},
 * {@code bulwark_detect_record} and {@code bulwark_detect_counter} in the connection's current schema, made by the migrations in
 * {@code classpath:db/migration/bulwark-detect/}, applied on start under an advisory lock unless
 * built with {@code createSchema(false)}, which only checks the tables, read-only): application
 * nodes sharing the database share the detectors' picture.
 *
 * <p>Atomicity: recording an event in a window is one {@code INSERT ... ON CONFLICT DO UPDATE ...
 * RETURNING} statement that drops the times outside the window, appends the new one and returns
 * the count under the row's lock; concurrent events from any number of nodes queue on that lock
 * and none is lost. A set member is one upsert (a later time replaces an earlier one) followed by
 * one statement that forgets the members beyond the cap and counts the rest; a record is one
 * upsert ({@code putIfAbsent} returns the value that won). Event times are stored as
 * {@code timestamptz} (whole milliseconds). A counter is one row per bucket: adding is one upsert of
 * that row returning its count plus the sum of the span's other rows, so the fleet's hot counter
 * costs one short row lock per event however many events arrive; {@code expires_at} is the database's clock plus the
 * width or retention, for {@link #purgeExpired()} only.
 *
 * <p>Failures: any {@link SQLException} (pool exhausted, connection lost, statement timeout after
 * {@code queryTimeout}) is a {@link DetectStoreException}; the detector then assesses the event at
 * its state-failure level. Configure the pool's wait for a connection short.
 *
 * <p>Thread-safe; give it a pooled {@link DataSource}.
 */
public final class JdbcDetectState implements DetectState {

  /** The tables' names. */
  public static final String WINDOWS = "bulwark_detect_window";

  public static final String MEMBERS = "bulwark_detect_member";

  public static final String RECORDS = "bulwark_detect_record";

  public static final String COUNTERS = "bulwark_detect_counter";

  /** The module's migrations and the tables this state uses. */
  public static final JdbcSchema SCHEMA = JdbcSchema.builder("detect", JdbcDetectState.class)
      .migrations("V1__tables.sql", "V2__counters.sql")
      .table(WINDOWS, "state_name text", "state_key text", "times _timestamptz", "expires_at timestamptz")
      .table(MEMBERS, "state_name text", "state_key text", "member text", "seen_at timestamptz",
          "expires_at timestamptz")
      .table(RECORDS, "state_name text", "state_key text", "value text", "expires_at timestamptz")
      .table(COUNTERS, "state_name text", "state_key text", "bucket int8", "count int8", "expires_at timestamptz")
      .build();

  private static final String MS = "interval '1 millisecond'";

  private static final String ADD_EVENT =
      "WITH p AS (SELECT CAST(? AS text) AS n, CAST(? AS text) AS k, CAST(? AS timestamptz) AS t, "
          + "CAST(? AS bigint) * " + MS + " AS w, CAST(? AS integer) AS cap) "
          + "INSERT INTO " + WINDOWS + " AS r (state_name, state_key, times, expires_at) "
          + "SELECT p.n, p.k, ARRAY[p.t], clock_timestamp() + p.w FROM p "
          + "ON CONFLICT (state_name, state_key) DO UPDATE SET (times, expires_at) = ("
          + "SELECT ARRAY(SELECT s.v FROM (SELECT v FROM unnest(r.times) v WHERE v > x.now - p.w "
          + "ORDER BY v DESC LIMIT p.cap - 1) s ORDER BY s.v) || x.now, clock_timestamp() + p.w "
          + "FROM p, LATERAL (SELECT GREATEST(p.t, (SELECT max(u) FROM unnest(r.times) u)) AS now) x) "
          + "RETURNING cardinality(times)";

  private static final String COUNT_EVENTS =
      "SELECT count(*) FROM " + WINDOWS + " r, unnest(r.times) v WHERE r.state_name = ? AND r.state_key = ? "
          + "AND v > GREATEST(CAST(? AS timestamptz), (SELECT max(u) FROM unnest(r.times) u)) - CAST(? AS bigint) * " + MS;

  private static final String ADD_MEMBER =
      "INSERT INTO " + MEMBERS + " AS r (state_name, state_key, member, seen_at, expires_at) "
          + "VALUES (?, ?, ?, ?, clock_timestamp() + CAST(? AS bigint) * " + MS + ") "
          + "ON CONFLICT (state_name, state_key, member) DO UPDATE SET seen_at = GREATEST(r.seen_at, EXCLUDED.seen_at), "
          + "expires_at = EXCLUDED.expires_at";

  private static final String TRIM_AND_COUNT =
      "WITH d AS (DELETE FROM " + MEMBERS + " WHERE state_name = ? AND state_key = ? AND member IN ("
          + "SELECT member FROM " + MEMBERS + " WHERE state_name = ? AND state_key = ? "
          + "ORDER BY seen_at DESC, member OFFSET ?) RETURNING member) "
          + "SELECT count(*) FROM " + MEMBERS + " WHERE state_name = ? AND state_key = ? AND seen_at > ? "
          + "AND member NOT IN (SELECT member FROM d)";

  private static final String COUNT_MEMBERS =
      "SELECT count(*) FROM " + MEMBERS + " WHERE state_name = ? AND state_key = ? AND seen_at > ?";

  private static final String HAS_MEMBER =
      "SELECT 1 FROM " + MEMBERS + " WHERE state_name = ? AND state_key = ? AND member = ?";

  private static final String PUT =
      "INSERT INTO " + RECORDS + " AS r (state_name, state_key, value, expires_at) "
          + "VALUES (?, ?, ?, clock_timestamp() + CAST(? AS bigint) * " + MS + ") "
          + "ON CONFLICT (state_name, state_key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at";

  private static final String PUT_IF_ABSENT =
      "INSERT INTO " + RECORDS + " AS r (state_name, state_key, value, expires_at) "
          + "VALUES (?, ?, ?, clock_timestamp() + CAST(? AS bigint) * " + MS + ") "
          + "ON CONFLICT (state_name, state_key) DO UPDATE SET expires_at = GREATEST(r.expires_at, EXCLUDED.expires_at) "
          + "RETURNING value";

  // The upsert takes the bucket's row lock and returns its new count; the other buckets of the span
  // are read from the statement's snapshot (past buckets, final once their second is over).
  private static final String ADD_COUNT =
      "WITH up AS (INSERT INTO " + COUNTERS + " AS c (state_name, state_key, bucket, count, expires_at) "
          + "VALUES (?, ?, ?, ?, clock_timestamp() + CAST(? AS bigint) * " + MS + ") "
          + "ON CONFLICT (state_name, state_key, bucket) DO UPDATE SET count = c.count + EXCLUDED.count, "
          + "expires_at = EXCLUDED.expires_at RETURNING count) "
          + "SELECT (SELECT count FROM up) + COALESCE((SELECT sum(count) FROM " + COUNTERS
          + " WHERE state_name = ? AND state_key = ? AND bucket > ? AND bucket < ?), 0)";

  private static final String SUM_COUNTS = "SELECT COALESCE(sum(count), 0) FROM " + COUNTERS
      + " WHERE state_name = ? AND state_key = ? AND bucket >= ? AND bucket <= ?";

  private static final String GET = "SELECT value FROM " + RECORDS + " WHERE state_name = ? AND state_key = ?";

  private final TimedJdbc jdbc;

  private JdbcDetectState(Builder b) {
    this.jdbc = JdbcStoreSettings.of(b).open(SCHEMA, DetectStoreException::new,
        (what, e) -> new DetectStoreException("PostgreSQL detection state: " + what + " (" + e.getSQLState() + ")", e));
  }

  /**
   * A state over {@code dataSource} whose statements time out after 2 s, bringing the tables up to
   * date on start and checking their shape.
   *
   * @throws DetectStoreException if the tables cannot be made or read, or have other columns
   */
  public static JdbcDetectState create(DataSource dataSource) {
    return builder(dataSource).build();
  }

  /** A builder: the statement timeout and {@code createSchema} are optional. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /**
   * Settings of a {@link JdbcDetectState}: the statement timeout and {@code createSchema} (see
   * {@link JdbcStoreBuilder#createSchema}).
   */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcDetectState> {
    private Builder(DataSource dataSource) {
      super(dataSource);
    }

    /**
     * How long one statement may run (default 2 s; JDBC counts whole seconds, so it is rounded up).
     *
     * @throws IllegalArgumentException unless between 1 ms and 1 minute
     */
    @Override
    public Builder queryTimeout(Duration queryTimeout) {
      return super.queryTimeout(queryTimeout);
    }

    /** @throws DetectStoreException if the tables cannot be made, are not there or have other columns */
    @Override
    public JdbcDetectState build() {
      return new JdbcDetectState(this);
    }
  }

  @Override
  public int addEvent(String name, String key, long atMillis, long widthMillis, int cap) {
    check(name, key);
    positive(widthMillis, cap);
    return jdbc.run("recording an event", c -> {
      try (PreparedStatement ps = jdbc.prepare(c, ADD_EVENT)) {
        ps.setString(1, name);
        ps.setString(2, key);
        Timestamps.set(ps, 3, Instant.ofEpochMilli(atMillis));
        ps.setLong(4, widthMillis);
        ps.setInt(5, cap);
        return single(ps);
      }
    });
  }

  @Override
  public int countEvents(String name, String key, long atMillis, long widthMillis) {
    check(name, key);
    return jdbc.run("counting events", c -> {
      try (PreparedStatement ps = jdbc.prepare(c, COUNT_EVENTS)) {
        ps.setString(1, name);
        ps.setString(2, key);
        Timestamps.set(ps, 3, Instant.ofEpochMilli(atMillis));
        ps.setLong(4, widthMillis);
        return single(ps);
      }
    });
  }

  @Override
  public int addMember(String name, String key, String member, long atMillis, long widthMillis, int cap) {
    check(name, key);
    Objects.requireNonNull(member, "member");
    positive(widthMillis, cap);
    Instant at = Instant.ofEpochMilli(atMillis);
    return jdbc.run("recording a set member", c -> {
      try (PreparedStatement ps = jdbc.prepare(c, ADD_MEMBER)) {
        ps.setString(1, name);
        ps.setString(2, key);
        ps.setString(3, member);
        Timestamps.set(ps, 4, at);
        ps.setLong(5, widthMillis);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = jdbc.prepare(c, TRIM_AND_COUNT)) {
        ps.setString(1, name);
        ps.setString(2, key);
        ps.setString(3, name);
        ps.setString(4, key);
        ps.setInt(5, cap);
        ps.setString(6, name);
        ps.setString(7, key);
        Timestamps.set(ps, 8, at.minusMillis(widthMillis));
        return single(ps);
      }
    });
  }

  @Override
  public int countMembers(String name, String key, long atMillis, long widthMillis) {
    check(name, key);
    return jdbc.run("counting set members", c -> {
      try (PreparedStatement ps = jdbc.prepare(c, COUNT_MEMBERS)) {
        ps.setString(1, name);
        ps.setString(2, key);
        Timestamps.set(ps, 3, Instant.ofEpochMilli(atMillis).minusMillis(widthMillis));
        return single(ps);
      }
    });
  }

  @Override
  public boolean hasMember(String name, String key, String member) {
    check(name, key);
    Objects.requireNonNull(member, "member");
    return jdbc.run("reading a set member", c -> {
      try (PreparedStatement ps = jdbc.prepare(c, HAS_MEMBER)) {
        ps.setString(1, name);
        ps.setString(2, key);
        ps.setString(3, member);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  @Override
  public void put(String name, String key, String value, long ttlMillis) {
    check(name, key);
    Objects.requireNonNull(value, "value");
    jdbc.run("writing a record", c -> {
      try (PreparedStatement ps = jdbc.prepare(c, PUT)) {
        ps.setString(1, name);
        ps.setString(2, key);
        ps.setString(3, value);
        ps.setLong(4, Math.max(1, ttlMillis));
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public String putIfAbsent(String name, String key, String value, long ttlMillis) {
    check(name, key);
    Objects.requireNonNull(value, "value");
    return jdbc.run("writing a record", c -> {
      try (PreparedStatement ps = jdbc.prepare(c, PUT_IF_ABSENT)) {
        ps.setString(1, name);
        ps.setString(2, key);
        ps.setString(3, value);
        ps.setLong(4, Math.max(1, ttlMillis));
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("the record upsert returned no row", "02000");
          }
          return rs.getString(1);
        }
      }
    });
  }

  @Override
  public String get(String name, String key) {
    check(name, key);
    return jdbc.run("reading a record", c -> {
      try (PreparedStatement ps = jdbc.prepare(c, GET)) {
        ps.setString(1, name);
        ps.setString(2, key);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getString(1) : null;
        }
      }
    });
  }

  @Override
  public long addCount(String name, String key, long atMillis, long delta, long bucketMillis, int span,
      long keepMillis) {
    check(name, key);
    if (delta < 1 || bucketMillis < 1 || span < 1 || keepMillis < 1) {
      throw new IllegalArgumentException("delta, bucket width, span and keep must be positive");
    }
    long bucket = Math.floorDiv(atMillis, bucketMillis);
    return jdbc.run("adding to a counter", c -> {
      try (PreparedStatement ps = jdbc.prepare(c, ADD_COUNT)) {
        ps.setString(1, name);
        ps.setString(2, key);
        ps.setLong(3, bucket);
        ps.setLong(4, delta);
        ps.setLong(5, keepMillis);
        ps.setString(6, name);
        ps.setString(7, key);
        ps.setLong(8, bucket - span);
        ps.setLong(9, bucket);
        return singleLong(ps);
      }
    });
  }

  @Override
  public long sumCounts(String name, String key, long fromMillis, long toMillis, long bucketMillis) {
    check(name, key);
    if (bucketMillis < 1) {
      throw new IllegalArgumentException("bucketMillis must be positive");
    }
    return jdbc.run("summing a counter", c -> {
      try (PreparedStatement ps = jdbc.prepare(c, SUM_COUNTS)) {
        ps.setString(1, name);
        ps.setString(2, key);
        ps.setLong(3, Math.floorDiv(fromMillis, bucketMillis));
        ps.setLong(4, Math.floorDiv(toMillis, bucketMillis));
        return singleLong(ps);
      }
    });
  }

  /**
   * Deletes windows, set members and records not written for longer than their width or
   * retention (by the database's clock) and returns how many rows went. Schedule it (hourly).
   *
   * @throws DetectStoreException if the database fails
   */
  public int purgeExpired() {
    return jdbc.run("purging expired detection state", c -> {
      int n = 0;
      for (String table : new String[] {WINDOWS, MEMBERS, RECORDS, COUNTERS}) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE expires_at < clock_timestamp()")) {
          n += ps.executeUpdate();
        }
      }
      return n;
    });
  }

  private static int single(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("the statement returned no row", "02000");
      }
      return (int) rs.getLong(1);
    }
  }

  private static long singleLong(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("the statement returned no row", "02000");
      }
      return rs.getLong(1);
    }
  }

  private static void check(String name, String key) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(key, "key");
  }

  private static void positive(long widthMillis, int cap) {
    if (cap < 1 || widthMillis < 1) {
      throw new IllegalArgumentException("cap and width must be positive");
    }
  }

  @Override
  public String toString() {
    return "JdbcDetectState[" + WINDOWS + ", " + MEMBERS + ", " + RECORDS + ", " + COUNTERS + "]";
  }
}
