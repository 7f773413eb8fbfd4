package dev.bulwark.benchmarks;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The smallest connection pool that makes a benchmark measure the work rather than PostgreSQL's
 * backend start-up (tens of milliseconds per connection on a loaded machine): physical
 * connections are kept and handed out again, as a host's pool (HikariCP and the like) would.
 * Two instances over the same database are two application "nodes": they share nothing but
 * PostgreSQL. A connection given back with an open transaction is rolled back first.
 */
public final class BenchmarkPool implements DataSource, AutoCloseable {

  private final DataSource target;
  private final LinkedBlockingQueue<Connection> idle = new LinkedBlockingQueue<>();
  private final List<Connection> all = new ArrayList<>();

  public BenchmarkPool(DataSource target) {
    this.target = target;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection physical = idle.poll();
    if (physical == null || physical.isClosed()) {
      physical = target.getConnection();
      synchronized (all) {
        all.add(physical);
      }
    }
    Connection p = physical;
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          if (method.getName().equals("close")) {
            if (!p.getAutoCommit()) {
              p.rollback();
              p.setAutoCommit(true);
            }
            idle.add(p);
            return null;
          }
          try {
            return method.invoke(p, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("pool has fixed credentials");
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

  @Override
  public void close() throws SQLException {
    idle.clear();
    synchronized (all) {
      for (Connection c : all) {
        c.close();
      }
      all.clear();
    }
  }
}
