package dev.bulwark.testing.pg;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * A throw-away schema on the integration-test PostgreSQL, dropped (with everything in it) on
 * {@link #close()}. Fails, never skips, when PostgreSQL is down: an integration test that cannot
 * reach its database has not passed.
 *
 * <p>Where the server is: system properties {@code bulwark.pg.url} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/test}) and {@code bulwark.pg.user} (default
 * {@code postgres}, trust authentication). The PostgreSQL JDBC driver must be on the test class
 * path; this class names no driver type.
 *
 * <pre>{@code
 * try (PostgresSchema pg = PostgresSchema.create("authn");
 *      TestPool pool = pg.pool(8)) {
 *   pg.execute("CREATE TABLE t (id int PRIMARY KEY)");
 *   try (Connection c = pool.getConnection()) {
 *     // the code under test, on this schema
 *   }
 * }
 * }</pre>
 */
public final class PostgresSchema implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String url;
  private final String user;
  private final String name;

  private PostgresSchema(String prefix) {
    this.url = System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    this.user = System.getProperty("bulwark.pg.user", "postgres");
    if (!prefix.matches("[a-z][a-z0-9_]{0,20}")) {
      throw new IllegalArgumentException("prefix must be a short lower-case identifier");
    }
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    this.name = ("it_" + prefix + "_" + HexFormat.of().formatHex(b)).toLowerCase(Locale.ROOT);
    try {
      execute(new DriverDataSource(url, user, null), "CREATE SCHEMA " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL is not reachable at " + url + " as " + user
          + " (start it, or set -Dbulwark.pg.url / -Dbulwark.pg.user)", e);
    }
  }

  /** Creates schema {@code it_<prefix>_<random>}. */
  public static PostgresSchema create(String prefix) {
    return new PostgresSchema(prefix);
  }

  /** The schema's name. */
  public String name() {
    return name;
  }

  /** The JDBC URL of the server, without a schema. */
  public String url() {
    return url;
  }

  /** The superuser the tests log in as. */
  public String user() {
    return user;
  }

  /** Unpooled connections as the superuser, with this schema first on the search path. */
  public DataSource dataSource() {
    return new DriverDataSource(url, user, name);
  }

  /** Unpooled connections logging in as {@code role} (which must exist), on this schema. */
  public DataSource as(String role) {
    return new DriverDataSource(url, Objects.requireNonNull(role, "role"), name);
  }

  /** A fixed-size pool of superuser connections on this schema; one pool stands in for one node. */
  public TestPool pool(int size) throws SQLException {
    return TestPool.of(dataSource(), size);
  }

  /** Runs statements as the superuser on this schema. */
  public void execute(String... sql) throws SQLException {
    execute(dataSource(), sql);
  }

  /** Runs statements on a connection of {@code ds}. */
  public static void execute(DataSource ds, String... sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  /**
   * Creates a login role without any privilege beyond USAGE on this schema (a runtime role of a
   * deployment whose schema is made by migrations); dropped with the schema's objects on close.
   */
  public DataSource createRole(String role) throws SQLException {
    if (!role.matches("[a-z][a-z0-9_]{0,40}")) {
      throw new IllegalArgumentException("role name");
    }
    String full = name + "_" + role;
    execute(new DriverDataSource(url, user, null),
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + full + "') THEN CREATE ROLE "
            + full + " LOGIN; END IF; END $$",
        "GRANT USAGE ON SCHEMA " + name + " TO " + full);
    return as(full);
  }

  /** Drops the schema and any role {@link #createRole} made. */
  @Override
  public void close() throws SQLException {
    DriverDataSource admin = new DriverDataSource(url, user, null);
    execute(admin, "DROP SCHEMA IF EXISTS " + name + " CASCADE");
    execute(admin, "DO $$ DECLARE r record; BEGIN FOR r IN SELECT rolname FROM pg_roles WHERE rolname LIKE '"
        + name + "\\_%' LOOP EXECUTE 'DROP OWNED BY ' || quote_ident(r.rolname) || ' CASCADE'; "
        + "EXECUTE 'DROP ROLE ' || quote_ident(r.rolname); END LOOP; END $$");
  }

  @Override
  public String toString() {
    return "PostgresSchema[" + name + " at " + url + "]";
  }
}
