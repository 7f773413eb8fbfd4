package dev.bulwark.ratelimit.jdbc;

import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.internal.Schema;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.ratelimit.spi.Step;
import dev.bulwark.ratelimit.RateLimitStoreException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * {@link RateLimitStore} in PostgreSQL (table {@code bulwark_ratelimit}, created if missing in the
 * connection's current schema): application nodes sharing the database share the limits.
 *
 * <p>Each decision is one {@code INSERT ... ON CONFLICT DO UPDATE ... RETURNING} statement (a
 * scalar form for a limiter of one quota, an array form for several) in
 * autocommit: PostgreSQL takes the key's row lock, applies the GCRA step to every quota's
 * theoretical arrival time and returns the result. Concurrent decisions on a key queue on that
 * lock, one round trip each; nothing is read first, nothing is retried. Time is the database's
 * ({@code clock_timestamp()}), so nodes with skewed clocks still share one timeline.
 *
 * <p>Failures: a {@link java.sql.SQLException} of any kind (pool exhausted, connection lost,
 * statement timeout after {@code queryTimeout}) is a {@link RateLimitStoreException}, which the
 * limiter turns into a {@code STORE_UNAVAILABLE} decision under its failure policy. Configure the
 * pool's own wait for a connection short (e.g. HikariCP {@code connectionTimeout} ≤ 1 s): a
 * request waiting for a rate-limit decision should not wait long. A table of another shape makes
 * the constructor throw {@link dev.bulwark.ratelimit.RateLimitStoreException}.
 *
 * <p>Rows whose every arrival time has passed equal missing rows; {@link #purgeIdle()} deletes
 * them (schedule it). Thread-safe; give it a pooled {@link DataSource}.
 */
public final class JdbcRateLimitStore implements RateLimitStore {

  /** The table's name. */
  public static final String TABLE = "bulwark_ratelimit";

  private static final String NOW_US = "CAST(floor(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000) AS BIGINT)";

  private static final String STEP =
      "WITH p AS (SELECT CAST(? AS VARCHAR(600)) AS k, CAST(? AS BIGINT) AS c, CAST(? AS BIGINT[]) AS t, "
          + "CAST(? AS BIGINT[]) AS tol, " + NOW_US + " AS now_us) "
          + "INSERT INTO " + TABLE + " AS r (limit_key, tats, now_us, admitted) "
          + "SELECT p.k, ARRAY(SELECT p.now_us + p.c * u.t FROM unnest(p.t) WITH ORDINALITY AS u(t, i) ORDER BY u.i), "
          + "p.now_us, TRUE FROM p "
          // The update reads the clock again once it holds the row lock, so the decisions on a
          // key see non-decreasing times in the order they are applied (not when they started).
          + "ON CONFLICT (limit_key) DO UPDATE SET (tats, now_us, admitted) = ("
          + "SELECT CASE WHEN s.ok THEN s.nxt ELSE r.tats END, n.now_us, s.ok FROM p, (SELECT " + NOW_US + " AS now_us) n, LATERAL ("
          + "SELECT bool_and(GREATEST(o.tat, n.now_us) + p.c * u.t - n.now_us <= u.tol) AS ok, "
          + "array_agg(GREATEST(o.tat, n.now_us) + p.c * u.t ORDER BY u.i) AS nxt "
          + "FROM unnest(p.t, p.tol) WITH ORDINALITY AS u(t, tol, i) "
          + "LEFT JOIN unnest(CASE WHEN cardinality(r.tats) = cardinality(p.t) THEN r.tats END) "
          + "WITH ORDINALITY AS o(tat, j) ON o.j = u.i) s) "
          + "RETURNING tats, now_us, admitted";

  /**
   * The same step for the common case of one quota, in scalar arithmetic (no arrays unnested and
   * aggregated): less work for the database on every decision.
   */
  private static final String STEP_ONE =
      "WITH p AS (SELECT CAST(? AS VARCHAR(600)) AS k, CAST(? AS BIGINT) AS c, CAST(? AS BIGINT) AS t, "
          + "CAST(? AS BIGINT) AS tol, " + NOW_US + " AS now_us) "
          + "INSERT INTO " + TABLE + " AS r (limit_key, tats, now_us, admitted) "
          + "SELECT p.k, ARRAY[p.now_us + p.c * p.t], p.now_us, TRUE FROM p "
          + "ON CONFLICT (limit_key) DO UPDATE SET (tats, now_us, admitted) = ("
          + "SELECT CASE WHEN x.nxt - n.now_us <= p.tol THEN ARRAY[x.nxt] ELSE r.tats END, n.now_us, x.nxt - n.now_us <= p.tol "
          + "FROM p, (SELECT " + NOW_US + " AS now_us) n, LATERAL (SELECT GREATEST("
          + "CASE WHEN cardinality(r.tats) = 1 THEN r.tats[1] END, n.now_us) + p.c * p.t AS nxt) x) "
          + "RETURNING tats, now_us, admitted";

  private final DataSource dataSource;
  private final int queryTimeoutSeconds;

  private JdbcRateLimitStore(DataSource dataSource, Duration queryTimeout) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(queryTimeout, "queryTimeout");
    if (queryTimeout.isNegative() || queryTimeout.isZero() || queryTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("queryTimeout must be between 1 ms and 1 minute");
    }
    long ms = queryTimeout.toMillis();
    this.queryTimeoutSeconds = (int) Math.max(1, (ms + 999) / 1000);
    Map<String, String> columns = new LinkedHashMap<>();
    columns.put("limit_key", "varchar");
    columns.put("tats", "_int8");
    columns.put("now_us", "int8");
    columns.put("admitted", "bool");
    Schema.createAndCheck(dataSource, TABLE, "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
        + "limit_key VARCHAR(600) PRIMARY KEY, "
        + "tats BIGINT[] NOT NULL, "
        + "now_us BIGINT NOT NULL, "
        + "admitted BOOLEAN NOT NULL) WITH (fillfactor = 70)", columns);
  }

  /**
   * A store over {@code dataSource} whose statements time out after 2 s. Creates the table if
   * needed and checks its shape.
   *
   * @throws dev.bulwark.ratelimit.RateLimitStoreException if the table cannot be created or
   *     read, or has other columns
   */
  public static JdbcRateLimitStore create(DataSource dataSource) {
    return new JdbcRateLimitStore(dataSource, Duration.ofSeconds(2));
  }

  /**
   * A store whose statements time out after {@code queryTimeout} (JDBC counts whole seconds: it
   * is rounded up to at least 1 s).
   */
  public static JdbcRateLimitStore create(DataSource dataSource, Duration queryTimeout) {
    return new JdbcRateLimitStore(dataSource, queryTimeout);
  }

  @Override
  public Step acquire(String key, List<Quota> quotas, long cost) {
    Objects.requireNonNull(key, "key");
    boolean one = quotas.size() == 1;
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(one ? STEP_ONE : STEP)) {
      ps.setQueryTimeout(queryTimeoutSeconds);
      ps.setString(1, key);
      ps.setLong(2, cost);
      if (one) {
        ps.setLong(3, quotas.get(0).intervalMicros());
        ps.setLong(4, quotas.get(0).toleranceMicros());
      } else {
        ps.setString(3, arrayLiteral(quotas, true));
        ps.setString(4, arrayLiteral(quotas, false));
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new RateLimitStoreException("the rate-limit statement returned no row");
        }
        Array a = rs.getArray(1);
        Object[] tats = (Object[]) a.getArray();
        a.free();
        long[] out = new long[tats.length];
        for (int i = 0; i < out.length; i++) {
          out[i] = ((Number) tats[i]).longValue();
        }
        return Step.of(rs.getBoolean(3), rs.getLong(2), out);
      }
    } catch (SQLException e) {
      throw new RateLimitStoreException("PostgreSQL could not decide (" + e.getSQLState() + ")", e);
    }
  }

  private static String arrayLiteral(List<Quota> quotas, boolean intervals) {
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < quotas.size(); i++) {
      Quota q = quotas.get(i);
      out.append(i == 0 ? "" : ",").append(intervals ? q.intervalMicros() : q.toleranceMicros());
    }
    return out.append('}').toString();
  }

  /**
   * Deletes rows whose every arrival time has passed (they equal missing rows) and returns how
   * many. Rows being updated at that moment are skipped ({@code SKIP LOCKED}).
   *
   * @throws RateLimitStoreException if the database fails
   */
  public int purgeIdle() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE limit_key IN (SELECT limit_key FROM "
            + TABLE + " WHERE (SELECT max(x) FROM unnest(tats) x) <= " + NOW_US + " FOR UPDATE SKIP LOCKED)")) {
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new RateLimitStoreException("could not purge idle rate-limit rows (" + e.getSQLState() + ")", e);
    }
  }

  @Override
  public String toString() {
    return "JdbcRateLimitStore[" + TABLE + "]";
  }
}
