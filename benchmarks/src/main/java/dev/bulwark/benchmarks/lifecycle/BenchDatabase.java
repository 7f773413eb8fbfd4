package dev.bulwark.benchmarks.lifecycle;


import dev.bulwark.testing.pg.TestPool;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** A throw-away schema on the benchmark PostgreSQL (-Dbulwark.pg.url, default 127.0.0.1:5432/test). */
final class BenchDatabase implements AutoCloseable {

  private final String url = System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
  private final String user = System.getProperty("bulwark.pg.user", "postgres");
  private final String schema;
  private final TestPool pool;

  BenchDatabase() throws SQLException {
    byte[] b = new byte[6];
    new SecureRandom().nextBytes(b);
    schema = ("bench_lifecycle_" + HexFormat.of().formatHex(b)).toLowerCase(Locale.ROOT);
    try (Connection c = source(null).getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    pool = TestPool.growing(source(schema));
  }

  /** A pooled data source on the schema, as a host would configure one. */
  DataSource dataSource() {
    return pool;
  }

  void execute(String... sql) throws SQLException {
    try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  private PGSimpleDataSource source(String currentSchema) {
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
    pool.close();
    try (Connection c = source(null).getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
