package dev.bulwark.sso.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Creates a JDBC store's tables on PostgreSQL so that any number of nodes may start at once.
 *
 * <p>{@code CREATE TABLE IF NOT EXISTS} is not safe under concurrency in PostgreSQL: two sessions
 * that both find the table missing race on the catalog and one fails with a unique violation on
 * {@code pg_type}. The statements therefore run in one transaction that first takes a
 * transaction-level advisory lock named after the module; the second node waits, then finds
 * everything in place. A role without the CREATE privilege (an application role of a deployment
 * whose schema is made by migrations) gets an error from any CREATE, so then the tables only have
 * to be readable: {@code check} must succeed.
 */
public final class Schema {

  /** Lock name shared by every store of this module. */
  static final String LOCK = "bulwark.sso.schema";

  private Schema() {}

  /**
   * Runs {@code ddl} under the module's advisory lock; if that fails, runs {@code check} (a query
   * that reads the tables with {@code WHERE 1 = 0}) and rethrows when the tables are not there.
   */
  public static void create(DataSource ds, String what, List<String> ddl, String check) {
    Objects.requireNonNull(ds, "dataSource");
    SQLException failure;
    try (Connection c = ds.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(hashtext('" + LOCK + "'))");
        for (String sql : ddl) {
          s.execute(sql);
        }
        c.commit();
        return;
      } catch (SQLException e) {
        c.rollback();
        failure = e;
      } finally {
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create or read " + what, e);
    }
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.executeQuery(check).close();
    } catch (SQLException e) {
      e.addSuppressed(failure);
      throw new IllegalStateException("cannot create or read " + what, e);
    }
  }
}
