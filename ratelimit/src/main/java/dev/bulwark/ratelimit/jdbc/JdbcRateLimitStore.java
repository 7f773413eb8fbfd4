package dev.bulwark.ratelimit.jdbc;

import dev.bulwark.common.internal.jdbc.JdbcStoreSettings;
import dev.bulwark.common.internal.jdbc.TimedJdbc;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.common.jdbc.JdbcStoreBuilder;
import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.RateLimitStoreException;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.ratelimit.spi.Step;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * {@link RateLimitStore} in PostgreSQL (table {@code bulwark_ratelimit} in the connection's current
 * schema, made by the migrations in {@code classpath:db/migration/bulwark-ratelimit/}, applied
 * on start under an advisory lock unless built with {@code createSchema(false)}, which only checks
 * the table, read-only): application nodes sharing the database share the limits.
 *
 * <p>Each decision is one statement, one round trip (a scalar form for a limiter of one quota, an
 * array form for several) in autocommit. If the key's last committed state already denies the
 * request, the statement answers from that read and writes nothing (arrival times only move
 * forward, so the denial holds at that instant; a flood of refused requests costs reads, not
 * writes). Otherwise its {@code INSERT ... ON CONFLICT DO UPDATE ... RETURNING} takes the key's
 * row lock, applies the GCRA step to every quota's theoretical arrival time ({@code timestamptz},
 * whole microseconds) and returns the result. Concurrent decisions on a key queue on that lock;
 * nothing is retried. Time is the database's ({@code clock_timestamp()}), so nodes with skewed
 * clocks still share one timeline.
 *
 * <p>Failures: a {@link java.sql.SQLException} of any kind (pool exhausted, connection lost,
 * statement timeout after {@code queryTimeout}) is a {@link RateLimitStoreException}, which the
 * limiter turns into a {@code STORE_UNAVAILABLE} decision under its failure policy. Configure the
 * pool's own wait for a connection short (e.g. HikariCP {@code connectionTimeout} ≤ 1 s): a
 * request waiting for a rate-limit decision should not wait long. A table that cannot be made, or
 * of another shape, makes building the store throw {@link RateLimitStoreException}.
 *
 * <p>Rows whose every arrival time has passed equal missing rows; {@link #purgeIdle()} deletes
 * them (schedule it). Thread-safe; give it a pooled {@link DataSource}.
 */
public final class JdbcRateLimitStore implements RateLimitStore {

  /** The table's name. */
  public static final String TABLE = "bulwark_ratelimit";

  /** The module's migrations and the table this store uses. */
  public static final JdbcSchema SCHEMA = JdbcSchema.builder("ratelimit", JdbcRateLimitStore.class)
      .migrations("V1__tables.sql", "V2__timestamptz.sql")
      .table(TABLE, "limit_key varchar", "tats _timestamptz", "decided_at timestamptz", "admitted bool")
      .build();

  private static final String US = "interval '1 microsecond'";

  /**
   * The step over any number of quotas. A decision that the key's last committed state already
   * denies is answered from that read alone ({@code den}): arrival times only move forward, so a
   * key denied at a snapshot stays denied at that instant whatever commits meanwhile, and such a
   * denial writes nothing (no row version, no WAL, no commit to flush): a flood of refused
   * requests costs the database reads. Anything else goes through the locked upsert, which decides
   * again under the row lock.
   */
  private static final String STEP =
      "WITH p AS (SELECT CAST(? AS VARCHAR(600)) AS k, CAST(? AS BIGINT) AS c, CAST(? AS BIGINT[]) AS t, "
          + "CAST(? AS BIGINT[]) AS tol, clock_timestamp() AS now), "
          + "den AS (SELECT q.tats, p.now FROM p JOIN " + TABLE + " q ON q.limit_key = p.k "
          + "WHERE cardinality(q.tats) = cardinality(p.t) AND EXISTS (SELECT 1 FROM unnest(p.t, p.tol) WITH ORDINALITY AS u(t, tol, i) "
          + "JOIN unnest(q.tats) WITH ORDINALITY AS o(tat, j) ON o.j = u.i "
          + "WHERE GREATEST(o.tat, p.now) + (p.c * u.t) * " + US + " > p.now + u.tol * " + US + ")), "
          + "ins AS (INSERT INTO " + TABLE + " AS r (limit_key, tats, decided_at, admitted) "
          + "SELECT p.k, ARRAY(SELECT p.now + (p.c * u.t) * " + US + " FROM unnest(p.t) WITH ORDINALITY AS u(t, i) "
          + "ORDER BY u.i), p.now, TRUE FROM p WHERE NOT EXISTS (SELECT 1 FROM den) "
          // The update reads the clock again once it holds the row lock, so the decisions on a
          // key see non-decreasing times in the order they are applied (not when they started).
          + "ON CONFLICT (limit_key) DO UPDATE SET (tats, decided_at, admitted) = ("
          + "SELECT CASE WHEN s.ok THEN s.nxt ELSE r.tats END, n.now, s.ok FROM p, (SELECT clock_timestamp() AS now) n, LATERAL ("
          + "SELECT bool_and(GREATEST(o.tat, n.now) + (p.c * u.t) * " + US + " <= n.now + u.tol * " + US + ") AS ok, "
          + "array_agg(GREATEST(o.tat, n.now) + (p.c * u.t) * " + US + " ORDER BY u.i) AS nxt "
          + "FROM unnest(p.t, p.tol) WITH ORDINALITY AS u(t, tol, i) "
          + "LEFT JOIN unnest(CASE WHEN cardinality(r.tats) = cardinality(p.t) THEN r.tats END) "
          + "WITH ORDINALITY AS o(tat, j) ON o.j = u.i) s) "
          + "RETURNING tats, decided_at, admitted) "
          + "SELECT tats, decided_at, admitted FROM ins UNION ALL SELECT tats, now, FALSE FROM den";

  /**
   * The same step for the common case of one quota, in scalar arithmetic (no arrays unnested and
   * aggregated): less work for the database on every decision. Denials from the committed state
   * write nothing, as in {@link #STEP}.
   */
  private static final String STEP_ONE =
      "WITH p AS (SELECT CAST(? AS VARCHAR(600)) AS k, CAST(? AS BIGINT) AS c, CAST(? AS BIGINT) AS t, "
          + "CAST(? AS BIGINT) AS tol, clock_timestamp() AS now), "
          + "den AS (SELECT q.tats, p.now FROM p JOIN " + TABLE + " q ON q.limit_key = p.k "
          + "WHERE cardinality(q.tats) = 1 AND GREATEST(q.tats[1], p.now) + (p.c * p.t) * " + US + " > p.now + p.tol * " + US + "), "
          + "ins AS (INSERT INTO " + TABLE + " AS r (limit_key, tats, decided_at, admitted) "
          + "SELECT p.k, ARRAY[p.now + (p.c * p.t) * " + US + "], p.now, TRUE FROM p WHERE NOT EXISTS (SELECT 1 FROM den) "
          + "ON CONFLICT (limit_key) DO UPDATE SET (tats, decided_at, admitted) = ("
          + "SELECT CASE WHEN x.ok THEN ARRAY[x.nxt] ELSE r.tats END, n.now, x.ok "
          + "FROM p, (SELECT clock_timestamp() AS now) n, LATERAL (SELECT y.nxt, y.nxt <= n.now + p.tol * " + US
          + " AS ok FROM (SELECT GREATEST(CASE WHEN cardinality(r.tats) = 1 THEN r.tats[1] END, n.now) + (p.c * p.t) * "
          + US + " AS nxt) y) x) "
          + "RETURNING tats, decided_at, admitted) "
          + "SELECT tats, decided_at, admitted FROM ins UNION ALL SELECT tats, now, FALSE FROM den";

  private final TimedJdbc db;

  private JdbcRateLimitStore(Builder b) {
    this.db = JdbcStoreSettings.of(b).open(SCHEMA, (what, e) -> new RateLimitStoreException(what
        + "; expected table " + TABLE + " with columns limit_key varchar, tats timestamptz[], decided_at timestamptz,"
        + " admitted boolean", e),
        (what, e) -> new RateLimitStoreException("PostgreSQL rate-limit store: " + what + " (" + e.getSQLState() + ")", e));
  }

  /**
   * A store over {@code dataSource} whose statements time out after 2 s, bringing the table up to
   * date on start and checking its shape.
   *
   * @throws RateLimitStoreException if the table cannot be made or read, or has other columns
   */
  public static JdbcRateLimitStore create(DataSource dataSource) {
    return builder(dataSource).build();
  }

  /** A builder: the statement timeout and {@code createSchema} are optional. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /**
   * Settings of a {@link JdbcRateLimitStore}: the statement timeout and {@code createSchema} (see
   * {@link JdbcStoreBuilder#createSchema}).
   */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcRateLimitStore> {
    private Builder(DataSource dataSource) {
      super(dataSource);
    }

    /**
     * How long one decision's statement may run (default 2 s; JDBC counts whole seconds, so it
     * is rounded up to at least 1 s).
     *
     * @throws IllegalArgumentException unless between 1 ms and 1 minute
     */
    @Override
    public Builder queryTimeout(Duration queryTimeout) {
      return super.queryTimeout(queryTimeout);
    }

    /** @throws RateLimitStoreException if the table cannot be made, is not there or has other columns */
    @Override
    public JdbcRateLimitStore build() {
      return new JdbcRateLimitStore(this);
    }
  }

  @Override
  public Step acquire(String key, List<Quota> quotas, long cost) {
    Objects.requireNonNull(key, "key");
    boolean one = quotas.size() == 1;
    return db.run("deciding", c -> {
      try (PreparedStatement ps = db.prepare(c, one ? STEP_ONE : STEP)) {
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
            out[i] = micros(((Timestamp) tats[i]).toInstant());
          }
          return Step.of(rs.getBoolean(3), micros(rs.getObject(2, OffsetDateTime.class).toInstant()), out);
        }
      }
    });
  }

  private static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
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
    return db.run("purging idle rows", c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE limit_key IN (SELECT limit_key FROM "
          + TABLE + " WHERE (SELECT max(x) FROM unnest(tats) x) <= clock_timestamp() FOR UPDATE SKIP LOCKED)")) {
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public String toString() {
    return "JdbcRateLimitStore[" + TABLE + "]";
  }
}
