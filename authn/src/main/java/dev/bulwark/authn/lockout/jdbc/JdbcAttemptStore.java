package dev.bulwark.authn.lockout.jdbc;

import dev.bulwark.authn.lockout.Attempts;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * {@link AttemptStore} in PostgreSQL (table {@code bulwark_authn_attempts}, created if missing in
 * the connection's current schema). Application nodes sharing the database share the counts.
 *
 * <p>Each failure is one {@code INSERT ... ON CONFLICT DO UPDATE ... RETURNING} statement: the
 * database increments under the row lock and returns the new count, so concurrent failures on any
 * number of nodes are never lost or double-counted, and no transaction spans a round trip.
 *
 * <p>Thread-safe; give it a pooled {@link DataSource}. {@link #purgeExpired()} deletes expired,
 * non-disabled rows; schedule it. SQL errors surface as {@link IllegalStateException} with the
 * cause attached.
 */
public final class JdbcAttemptStore implements AttemptStore {

  static final String TABLE = "bulwark_authn_attempts";

  private static final String RECORD =
      "INSERT INTO " + TABLE + " AS a (attempt_key, failures, last_failure_ms, expires_at_ms, disabled) "
          + "VALUES (?, 1, ?, ?, ?) "
          + "ON CONFLICT (attempt_key) DO UPDATE SET "
          + "failures = CASE WHEN a.disabled OR a.expires_at_ms > EXCLUDED.last_failure_ms THEN a.failures + 1 ELSE 1 END, "
          + "disabled = a.disabled "
          + "  OR (CASE WHEN a.disabled OR a.expires_at_ms > EXCLUDED.last_failure_ms THEN a.failures + 1 ELSE 1 END) >= ?, "
          + "last_failure_ms = EXCLUDED.last_failure_ms, "
          + "expires_at_ms = EXCLUDED.expires_at_ms "
          + "RETURNING failures, last_failure_ms, disabled";

  private final DataSource dataSource;
  private final InstantSource clock;

  /** Creates the table if needed. {@code clock} is used by {@link #purgeExpired()}. */
  public JdbcAttemptStore(DataSource dataSource, InstantSource clock) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.clock = Objects.requireNonNull(clock, "clock");
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
          + "attempt_key VARCHAR(1024) PRIMARY KEY, "
          + "failures BIGINT NOT NULL, "
          + "last_failure_ms BIGINT NOT NULL, "
          + "expires_at_ms BIGINT NOT NULL, "
          + "disabled BOOLEAN NOT NULL)");
    } catch (SQLException e) {
      throw new IllegalStateException("could not create or check table " + TABLE, e);
    }
  }

  @Override
  public Attempts get(String key, Instant now) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(now, "now");
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT failures, last_failure_ms, expires_at_ms, disabled FROM " + TABLE + " WHERE attempt_key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Attempts.NONE;
        }
        boolean disabled = rs.getBoolean(4);
        if (!disabled && rs.getLong(3) <= now.toEpochMilli()) {
          return Attempts.NONE;
        }
        return new Attempts(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), disabled);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read failed attempts", e);
    }
  }

  @Override
  public Attempts recordFailure(String key, Instant now, Instant expiresAt, long disableAt) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(expiresAt, "expiresAt");
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(RECORD)) {
      ps.setString(1, key);
      ps.setLong(2, now.toEpochMilli());
      ps.setLong(3, expiresAt.toEpochMilli());
      ps.setBoolean(4, 1 >= disableAt);
      ps.setLong(5, disableAt);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("recording a failed attempt returned no row");
        }
        return new Attempts(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getBoolean(3));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not record a failed attempt", e);
    }
  }

  @Override
  public void reset(String key) {
    Objects.requireNonNull(key, "key");
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE attempt_key = ?")) {
      ps.setString(1, key);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not reset failed attempts", e);
    }
  }

  /** Deletes expired rows that are not disabled; returns how many. */
  public int purgeExpired() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "DELETE FROM " + TABLE + " WHERE expires_at_ms <= ? AND NOT disabled")) {
      ps.setLong(1, clock.instant().toEpochMilli());
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not purge expired attempts", e);
    }
  }

  @Override
  public String toString() {
    return "JdbcAttemptStore[" + TABLE + "]";
  }
}
