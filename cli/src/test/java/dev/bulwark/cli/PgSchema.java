package dev.bulwark.cli;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A fresh PostgreSQL schema for one IT, dropped on close. Fails (never skips) when PostgreSQL is
 * unreachable.
 */
final class PgSchema implements AutoCloseable {

  final String url = System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
  final String user = System.getProperty("bulwark.pg.user", "postgres");
  final String schema = "cli_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);

  PgSchema() throws SQLException {
    exec("CREATE SCHEMA " + schema);
  }

  DataSource dataSource() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    ds.setUser(user);
    ds.setCurrentSchema(schema);
    return ds;
  }

  /** The CLI options that reach this schema. */
  String[] cliArgs() {
    return new String[] {"--jdbc-url", url, "--db-user", user, "--db-schema", schema};
  }

  void exec(String sql) throws SQLException {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    ds.setUser(user);
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  void execInSchema(String sql) throws SQLException {
    try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  long count(String sql) throws SQLException {
    try (Connection c = dataSource().getConnection(); Statement s = c.createStatement();
         java.sql.ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public void close() throws SQLException {
    exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }
}
