package dev.bulwark.testkit.authn.lockout;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A fixed-size connection pool over a plain {@link DataSource}, standing in for the pool an
 * application node would have (HikariCP and the like). Two instances over the same database are
 * two "nodes": they share nothing but PostgreSQL.
 */
public final class PooledDataSource implements DataSource, AutoCloseable {

  private final BlockingQueue<Connection> idle;
  private final Connection[] all;
  private final Duration wait;

  public PooledDataSource(DataSource target, int size) throws SQLException {
    this(target, size, Duration.ofSeconds(60));
  }

  /**
   * A pool that, like HikariCP when exhausted, gives up waiting for a free connection after
   * {@code wait} with {@link SQLTransientConnectionException}.
   */
  public PooledDataSource(DataSource target, int size, Duration wait) throws SQLException {
    this.wait = wait;
    idle = new ArrayBlockingQueue<>(size);
    all = new Connection[size];
    for (int i = 0; i < size; i++) {
      all[i] = target.getConnection();
      idle.add(all[i]);
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection physical;
    try {
      physical = idle.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted waiting for a connection", e);
    }
    if (physical == null) {
      throw new SQLTransientConnectionException(
          "connection is not available, request timed out after " + wait.toMillis() + "ms");
    }
    physical.setAutoCommit(true);
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
