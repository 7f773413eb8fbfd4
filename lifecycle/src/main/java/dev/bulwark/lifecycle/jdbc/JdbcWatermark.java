package dev.bulwark.lifecycle.jdbc;

import static dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore.instant;
import static dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore.ts;

import dev.bulwark.lifecycle.LifecycleStore.Watermark;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * Bulwark's own store of the purge watermark on PostgreSQL ({@code bulwark_lifecycle_watermark}):
 * the latest run's start and the last completed run's row count, for the safety rails. Every
 * method works in the caller's connection.
 */
final class JdbcWatermark {

  private static final String JOB = "purge";

  private JdbcWatermark() {}

  /** The watermark; {@code lock}: FOR UPDATE. */
  static Watermark read(Connection c, boolean lock) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT last_run_started_at, last_completed_rows"
        + " FROM bulwark_lifecycle_watermark WHERE job = ?" + (lock ? " FOR UPDATE" : ""))) {
      ps.setString(1, JOB);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return new Watermark(Optional.empty(), Optional.empty());
        }
        Optional<Instant> started = instant(rs, 1);
        long rows = rs.getLong(2);
        // wasNull() right after reading the column it is about.
        Optional<Long> completed = rs.wasNull() ? Optional.empty() : Optional.of(rows);
        return new Watermark(started, completed);
      }
    }
  }

  /** Moves the watermark to {@code startedAt} when later; returns it as it was before. */
  static Watermark advance(Connection c, Instant startedAt) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO bulwark_lifecycle_watermark (job) VALUES (?) ON CONFLICT (job) DO NOTHING")) {
      ps.setString(1, JOB);
      ps.executeUpdate();
    }
    Watermark before = read(c, true);
    try (PreparedStatement ps = c.prepareStatement("UPDATE bulwark_lifecycle_watermark SET last_run_started_at ="
        + " GREATEST(COALESCE(last_run_started_at, ?), ?) WHERE job = ?")) {
      ps.setObject(1, ts(startedAt));
      ps.setObject(2, ts(startedAt));
      ps.setString(3, JOB);
      ps.executeUpdate();
    }
    return before;
  }

  /** Sets the watermark to {@code to}, earlier or later. */
  static void reset(Connection c, Instant to) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_lifecycle_watermark (job, last_run_started_at)"
        + " VALUES (?, ?) ON CONFLICT (job) DO UPDATE SET last_run_started_at = EXCLUDED.last_run_started_at")) {
      ps.setString(1, JOB);
      ps.setObject(2, ts(to));
      ps.executeUpdate();
    }
  }

  /** Records the row count of a completed run. */
  static void recordRunCompleted(Connection c, long rows) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulwark_lifecycle_watermark (job,"
        + " last_completed_rows) VALUES (?, ?) ON CONFLICT (job) DO UPDATE SET last_completed_rows = EXCLUDED.last_completed_rows")) {
      ps.setString(1, JOB);
      ps.setLong(2, rows);
      ps.executeUpdate();
    }
  }
}
