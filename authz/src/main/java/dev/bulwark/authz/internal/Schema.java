package dev.bulwark.authz.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Creates the JDBC store's tables on PostgreSQL so that any number of nodes may start at once:
 * the statements run in one transaction that first takes a transaction-level advisory lock named
 * after the module ({@code CREATE TABLE IF NOT EXISTS} alone races on the catalog). A role
 * without CREATE (schema made by migrations) only needs {@code check} to succeed.
 */
public final class Schema {

  static final String LOCK = "bulwark.authz.schema";

  private Schema() {}

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
