package dev.bulwark.audit.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Runs the JDBC stores' {@code CREATE ... IF NOT EXISTS} statements so that several nodes may open
 * a log at the same moment. PostgreSQL's {@code IF NOT EXISTS} is not atomic: two sessions that both
 * find a table missing race in the catalog and one fails ({@code pg_type_typname_nsp_index}). The
 * statements therefore run in one transaction after a transaction-level advisory lock, so the second
 * node waits and then finds everything in place.
 */
final class Ddl {

  private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext('bulwark.audit.schema'))";

  private Ddl() {}

  static void run(DataSource ds, String... ddl) throws SQLException {
    try (Connection c = ds.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute(LOCK);
        for (String sql : ddl) {
          s.execute(sql);
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    }
  }
}
