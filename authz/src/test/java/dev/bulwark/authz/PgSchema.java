package dev.bulwark.authz;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** A throw-away schema on the integration-test PostgreSQL; fails (never skips) when it is down. */
public final class PgSchema implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();

  public final String url = System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
  public final String user = System.getProperty("bulwark.pg.user", "postgres");
  public final String name;

  public PgSchema(String prefix) {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    name = ("it_" + prefix + "_" + HexFormat.of().formatHex(b)).toLowerCase(Locale.ROOT);
    try {
      execute(dataSource(user, null), "CREATE SCHEMA " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL is not reachable at " + url + " as " + user, e);
    }
  }

  /** A data source for the superuser, on this schema. */
  public DataSource admin() {
    return dataSource(user, name);
  }

  /** A data source logging in as {@code role}, on this schema. */
  public PGSimpleDataSource as(String role) {
    return dataSource(role, name);
  }

  public PGSimpleDataSource dataSource(String role, String schema) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(url);
    ds.setUser(role);
    if (schema != null) {
      ds.setCurrentSchema(schema);
    }
    return ds;
  }

  public static void execute(DataSource ds, String... sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  public void execute(String... sql) throws SQLException {
    execute(admin(), sql);
  }

  @Override
  public void close() throws SQLException {
    execute(dataSource(user, null), "DROP SCHEMA IF EXISTS " + name + " CASCADE");
  }
}
