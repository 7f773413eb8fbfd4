package dev.bulwark.audit.jdbc;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A throw-away schema of the test's own on the integration-test PostgreSQL (127.0.0.1:5432,
 * database {@code test}, unless {@code -Dbulwark.pg.url} / {@code -Dbulwark.pg.user} say
 * otherwise), dropped on close. An unreachable database fails the test: integration tests never skip.
 */
final class PgSchema implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();
  final String url = System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
  final String user = System.getProperty("bulwark.pg.user", "postgres");
  final String schema;

  private PgSchema(String schema) {
    this.schema = schema;
  }

  static PgSchema create(String prefix) throws SQLException {
    byte[] suffix = new byte[6];
    RANDOM.nextBytes(suffix);
    PgSchema db = new PgSchema(("it_" + prefix + "_" + HexFormat.of().formatHex(suffix)).toLowerCase(Locale.ROOT));
    try (Connection c = dataSource(db.url, db.user, null).getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + db.schema);
    } catch (SQLException e) {
      throw new SQLException("PostgreSQL is not reachable at " + db.url + " as " + db.user
          + " (integration tests need it; start it or set -Dbulwark.pg.url)", e);
    }
    return db;
  }

  /** A new data source whose connections use this schema. */
  DataSource dataSource() {
    return dataSource(url, user, schema);
  }

  /** What a child JVM needs to reach this schema: url, user, schema. */
  List<String> childArgs() {
    return List.of(url, user, schema);
  }

  static DataSource dataSource(String url, String user, String schema) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(url);
    ds.setUser(user);
    if (schema != null) {
      ds.setCurrentSchema(schema);
    }
    return ds;
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = dataSource(url, user, null).getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
