package dev.bulwark.ratelimit.internal;

import dev.bulwark.ratelimit.RateLimitStoreException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Creates a JDBC store's table on PostgreSQL so that any number of nodes may start at once, then
 * checks that the table has the expected columns and types.
 *
 * <p>{@code CREATE TABLE IF NOT EXISTS} races on the catalog in PostgreSQL when two sessions run
 * it at once, so it runs in a transaction that first takes an advisory lock named after this
 * module. A role without the CREATE privilege (tables made by migrations) only needs the table to
 * be there with the right shape.
 */
public final class Schema {

  static final String LOCK = "bulwark.ratelimit.schema";

  private Schema() {}

  /**
   * Runs {@code ddl} under the module's advisory lock (failures there are tolerated), then reads
   * {@code table} and compares its columns with {@code columns} (name → PostgreSQL type name, e.g.
   * {@code int8}, {@code _int8}).
   *
   * @throws RateLimitStoreException if the table cannot be read or a column is missing or of another type
   */
  public static void createAndCheck(DataSource ds, String table, String ddl, Map<String, String> columns) {
    Objects.requireNonNull(ds, "dataSource");
    SQLException failure = null;
    try (Connection c = ds.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(hashtext('" + LOCK + "'))");
        s.execute(ddl);
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        failure = e;
      } finally {
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw new RateLimitStoreException("cannot create or read table " + table, e);
    }
    StringBuilder select = new StringBuilder("SELECT ");
    String sep = "";
    for (String col : columns.keySet()) {
      select.append(sep).append(col);
      sep = ", ";
    }
    select.append(" FROM ").append(table).append(" WHERE 1 = 0");
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(select.toString())) {
      ResultSetMetaData md = rs.getMetaData();
      int i = 1;
      for (Map.Entry<String, String> col : columns.entrySet()) {
        String type = md.getColumnTypeName(i++).toLowerCase(Locale.ROOT);
        if (!type.equals(col.getValue())) {
          throw new RateLimitStoreException("table " + table + ": column " + col.getKey() + " is " + type + ", expected "
              + col.getValue() + " (a table made by another version or by hand)");
        }
      }
    } catch (SQLException e) {
      RateLimitStoreException ex = new RateLimitStoreException("table " + table + " is missing or lacks the expected columns "
          + columns.keySet(), e);
      if (failure != null) {
        ex.addSuppressed(failure);
      }
      throw ex;
    }
  }
}
