package dev.bulwark.common.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.BiFunction;
import javax.sql.DataSource;

/**
 * The one transaction helper of Bulwark's JDBC stores: a data source plus the module's way of
 * turning a {@link SQLException} into its {@code <Module>StoreException}.
 *
 * <p>Every unit of work gets a connection of its own, restores the connection's auto-commit mode
 * before handing it back to the pool, and rolls back on any failure, including a
 * {@link RuntimeException} thrown by the work itself (that one is rethrown as it is).
 *
 * <p>Thread-safe.
 */
public final class Jdbc {

  /** A unit of work on one connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private static final int SERIALIZATION_RETRIES = 5;

  private final DataSource dataSource;
  private final BiFunction<String, SQLException, ? extends RuntimeException> failure;

  private Jdbc(DataSource dataSource, BiFunction<String, SQLException, ? extends RuntimeException> failure) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.failure = Objects.requireNonNull(failure, "failure");
  }

  /**
   * @param failure makes the module's store exception from a description of the operation and
   *     its cause; the description never holds a secret or a user's input
   */
  public static Jdbc of(DataSource dataSource, BiFunction<String, SQLException, ? extends RuntimeException> failure) {
    return new Jdbc(dataSource, failure);
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /** Runs {@code work} in one transaction; rolls back on any failure. */
  public <T> T inTransaction(String what, Work<T> work) {
    try {
      return transaction(work);
    } catch (SQLException e) {
      throw failure.apply(what + " failed", e);
    }
  }

  /**
   * Runs {@code work} in one transaction and runs it again, up to five times, when PostgreSQL
   * aborts it for a serialization failure or a deadlock (SQLState {@code 40001}, {@code 40P01}).
   * Only for work whose every effect is inside the transaction.
   */
  public <T> T inTransactionRetrying(String what, Work<T> work) {
    SQLException last = null;
    for (int attempt = 0; attempt <= SERIALIZATION_RETRIES; attempt++) {
      try {
        return transaction(work);
      } catch (SQLException e) {
        if (!isRetryable(e)) {
          throw failure.apply(what + " failed", e);
        }
        if (last != null) {
          e.addSuppressed(last);
        }
        last = e;
      }
    }
    throw failure.apply(what + " failed after " + (SERIALIZATION_RETRIES + 1) + " serialization retries", last);
  }

  /** Runs {@code work} on one connection in auto-commit mode. */
  public <T> T run(String what, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw failure.apply(what + " failed", e);
    }
  }

  /** The module's store exception for {@code cause}, for failures outside {@link #run}. */
  public RuntimeException failure(String what, SQLException cause) {
    return failure.apply(what, cause);
  }

  /** Whether PostgreSQL asks for the transaction to be retried (serialization failure, deadlock). */
  public static boolean isRetryable(SQLException e) {
    String state = e.getSQLState();
    return "40001".equals(state) || "40P01".equals(state);
  }

  private <T> T transaction(Work<T> work) throws SQLException {
    return transaction(dataSource, work);
  }

  /**
   * Runs {@code work} in one transaction on a connection of {@code dataSource}, rolling back on
   * any failure and restoring the connection's auto-commit mode; failures are thrown as they are
   * (the kit's own steps, such as {@link JdbcSchema}'s migrations, decide what they mean).
   */
  static <T> T transaction(DataSource dataSource, Work<T> work) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    }
  }
}
