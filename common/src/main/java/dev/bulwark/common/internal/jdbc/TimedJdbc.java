package dev.bulwark.common.internal.jdbc;

import dev.bulwark.common.jdbc.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;

/**
 * A JDBC store's transaction helper and its statement timeout: {@link #prepare} gives every
 * statement the store runs the same limit, so a row held locked or a stalled server makes the
 * operation fail with the module's store exception instead of hanging the caller. Immutable and
 * thread-safe.
 */
public final class TimedJdbc {

  private final Jdbc jdbc;
  private final int queryTimeoutSeconds;

  TimedJdbc(Jdbc jdbc, Duration queryTimeout) {
    this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
    long ms = queryTimeout.toMillis();
    this.queryTimeoutSeconds = (int) Math.max(1, (ms + 999) / 1000);
  }

  /** The transaction helper (its failures are the module's store exception). */
  public Jdbc jdbc() {
    return jdbc;
  }

  /** The statement timeout, in the whole seconds JDBC counts (at least 1). */
  public int queryTimeoutSeconds() {
    return queryTimeoutSeconds;
  }

  /** Runs {@code work} on one connection in auto-commit mode (see {@link Jdbc#run}). */
  public <T> T run(String what, Jdbc.Work<T> work) {
    return jdbc.run(what, work);
  }

  /** Prepares {@code sql} on {@code c} with the store's statement timeout. */
  public PreparedStatement prepare(Connection c, String sql) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      ps.setQueryTimeout(queryTimeoutSeconds);
      return ps;
    } catch (SQLException | RuntimeException e) {
      try {
        ps.close();
      } catch (SQLException close) {
        e.addSuppressed(close);
      }
      throw e;
    }
  }

  @Override
  public String toString() {
    return "TimedJdbc[" + queryTimeoutSeconds + " s]";
  }
}
