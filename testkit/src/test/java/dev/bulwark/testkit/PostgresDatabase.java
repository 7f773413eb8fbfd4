package dev.bulwark.testkit;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A throw-away schema on the integration-test PostgreSQL (127.0.0.1:5432, database {@code test}
 * unless {@code -Dbulwark.pg.url} says otherwise). Each instance creates its own schema, so tests
 * of different modules, and two runs at once, never see each other's tables.
 *
 * <p>Unreachable PostgreSQL fails the test with a clear message: integration tests never skip.
 */
public final class PostgresDatabase implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String schema;
  private final String url;
  private final String user;

  private PostgresDatabase(String url, String user, String schema) {
    this.url = url;
    this.user = user;
    this.schema = schema;
  }

  /** Creates a fresh schema named {@code it_<prefix>_<random>}. */
  public static PostgresDatabase create(String prefix) {
    String url = System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    String user = System.getProperty("bulwark.pg.user", "postgres");
    byte[] suffix = new byte[6];
    RANDOM.nextBytes(suffix);
    String schema = ("it_" + prefix + "_" + HexFormat.of().formatHex(suffix)).toLowerCase(java.util.Locale.ROOT);
    PostgresDatabase db = new PostgresDatabase(url, user, schema);
    try (Connection c = db.rawDataSource(null).getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "PostgreSQL is not reachable at " + url + " as " + user
              + " (integration tests need it; start it or set -Dbulwark.pg.url)", e);
    }
    return db;
  }

  /** A new data source whose connections use this schema. Call twice for two "nodes". */
  public DataSource dataSource() {
    return rawDataSource(schema);
  }

  public String schema() {
    return schema;
  }

  private DataSource rawDataSource(String currentSchema) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(url);
    ds.setUser(user);
    if (currentSchema != null) {
      ds.setCurrentSchema(currentSchema);
    }
    return ds;
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = rawDataSource(null).getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
