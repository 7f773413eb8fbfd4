package dev.bulwark.cli;

import dev.bulwark.testing.pg.PostgresSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * bulwark-testing's throw-away schema, with what the CLI's ITs ask of it: the options that point
 * the CLI at the schema, and a count.
 */
final class PgSchema implements AutoCloseable {

  private final PostgresSchema pg = PostgresSchema.create("cli");

  DataSource dataSource() {
    return pg.dataSource();
  }

  /** The CLI options that reach this schema. */
  String[] cliArgs() {
    return new String[] {"--jdbc-url", pg.url(), "--db-user", pg.user(), "--db-schema", pg.name()};
  }

  void execInSchema(String sql) throws SQLException {
    pg.execute(sql);
  }

  long count(String sql) throws SQLException {
    try (Connection c = dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public void close() throws SQLException {
    pg.close();
  }
}
