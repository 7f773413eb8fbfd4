package dev.bulwark.crypto.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A fixed-size connection pool on a throw-away schema of the integration-test PostgreSQL, standing
 * in for an application node's pool: two pools are two nodes that share nothing but the database.
 */
final class TestPool implements DataSource, AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final BlockingQueue<Connection> idle;
  private final Connection[] all;

  private TestPool(DataSource target, int size) throws SQLException {
    idle = new ArrayBlockingQueue<>(size);
    all = new Connection[size];
    for (int i = 0; i < size; i++) {
      all[i] = target.getConnection();
      idle.add(all[i]);
    }
  }

  private static PGSimpleDataSource raw(String schema) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"));
    ds.setUser(System.getProperty("bulwark.pg.user", "postgres"));
    if (schema != null) {
      ds.setCurrentSchema(schema);
    }
    return ds;
  }

  /** Creates a fresh schema {@code it_crypto_<random>}; fails the test if PostgreSQL is not reachable. */
  static String createSchema() throws SQLException {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    String schema = ("it_crypto_" + HexFormat.of().formatHex(b)).toLowerCase(Locale.ROOT);
    try (Connection c = raw(null).getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    return schema;
  }

  static void dropSchema(String schema) throws SQLException {
    try (Connection c = raw(null).getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  /** A pool of {@code size} connections on {@code schema}. */
  static TestPool on(String schema, int size) throws SQLException {
    return new TestPool(raw(schema), size);
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection physical;
    try {
      physical = idle.poll(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted waiting for a connection", e);
    }
    if (physical == null) {
      throw new SQLException("no connection free within 60 s");
    }
    boolean[] closed = {false};
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          if (method.getName().equals("close")) {
            if (!closed[0]) {
              closed[0] = true;
              idle.add(physical);
            }
            return null;
          }
          if (method.getName().equals("isClosed")) {
            return closed[0];
          }
          try {
            return method.invoke(physical, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public void close() throws SQLException {
    for (Connection c : all) {
      c.close();
    }
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
