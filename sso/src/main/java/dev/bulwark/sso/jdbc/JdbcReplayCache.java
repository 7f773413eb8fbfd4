package dev.bulwark.sso.jdbc;

import dev.bulwark.sso.SsoStoreException;
import dev.bulwark.sso.internal.Schema;
import dev.bulwark.sso.spi.ReplayCache;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * A {@link ReplayCache} in PostgreSQL, shared by every node of a fleet. One {@code INSERT ... ON
 * CONFLICT} decides atomically which caller saw an ID first; an expired row is taken over in the
 * same statement. Expired rows are deleted opportunistically. Thread-safe.
 */
public final class JdbcReplayCache implements ReplayCache {

  private final DataSource dataSource;
  private final Clock clock;
  private final String table;

  /** Uses table {@code bulwark_sso_replay}, creating it when missing. */
  public JdbcReplayCache(DataSource dataSource, Clock clock) {
    this(dataSource, clock, "bulwark_sso_replay");
  }

  /**
   * @param table an SQL identifier (letters, digits, underscore; optionally schema-qualified)
   */
  public JdbcReplayCache(DataSource dataSource, Clock clock, String table) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (!table.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?")) {
      throw new IllegalArgumentException("table must be an SQL identifier");
    }
    this.table = table;
    Schema.create(
        dataSource,
        table,
        List.of(
            "CREATE TABLE IF NOT EXISTS "
                + table
                + " (issuer TEXT NOT NULL, id TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL,"
                + " PRIMARY KEY (issuer, id))"),
        "SELECT issuer, id, expires_at FROM " + table + " WHERE 1 = 0");
  }

  @Override
  public boolean firstUse(String issuer, String id, Instant expiresAt) {
    Timestamp now = Timestamp.from(clock.instant());
    String sql =
        "INSERT INTO "
            + table
            + " (issuer, id, expires_at) VALUES (?, ?, ?) ON CONFLICT (issuer, id) DO UPDATE"
            + " SET expires_at = EXCLUDED.expires_at WHERE "
            + table
            + ".expires_at <= ?";
    try (Connection c = dataSource.getConnection()) {
      int inserted;
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, issuer);
        ps.setString(2, id);
        ps.setTimestamp(3, Timestamp.from(expiresAt));
        ps.setTimestamp(4, now);
        inserted = ps.executeUpdate();
      }
      if (inserted == 1) {
        try (PreparedStatement ps =
            c.prepareStatement(
                "DELETE FROM " + table + " WHERE ctid IN (SELECT ctid FROM " + table
                    + " WHERE expires_at <= ? LIMIT 100)")) {
          ps.setTimestamp(1, now);
          ps.executeUpdate();
        }
      }
      return inserted == 1;
    } catch (SQLException e) {
      throw new SsoStoreException("replay cache " + table + " unavailable (" + e.getSQLState() + ")", e);
    }
  }
}
