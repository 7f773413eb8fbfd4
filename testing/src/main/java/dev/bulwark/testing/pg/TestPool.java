package dev.bulwark.testing.pg;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A fixed-size connection pool standing in for an application node's pool: two pools are two
 * nodes that share nothing but the database. A borrower waits up to {@link #maxWait} for a free
 * connection, then gets an {@link SQLException}, as with a production pool that is exhausted.
 * Closing a borrowed connection returns it (rolled back to auto-commit if a transaction was left
 * open); closing it twice is harmless.
 */
public final class TestPool implements DataSource, AutoCloseable {

  private final BlockingQueue<Connection> idle;
  private final Connection[] all;
  private final Duration maxWait;
  private final AtomicInteger borrowed = new AtomicInteger();

  private TestPool(DataSource target, int size, Duration maxWait) throws SQLException {
    if (size < 1) {
      throw new IllegalArgumentException("size must be at least 1");
    }
    this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
    idle = new ArrayBlockingQueue<>(size);
    all = new Connection[size];
    for (int i = 0; i < size; i++) {
      all[i] = target.getConnection();
      idle.add(all[i]);
    }
  }

  /** A pool of {@code size} connections of {@code target}; borrowers wait up to 60 s. */
  public static TestPool of(DataSource target, int size) throws SQLException {
    return new TestPool(target, size, Duration.ofSeconds(60));
  }

  /** A pool of {@code size} connections of {@code target}; borrowers wait up to {@code maxWait}. */
  public static TestPool of(DataSource target, int size, Duration maxWait) throws SQLException {
    return new TestPool(target, size, maxWait);
  }

  /** How long a borrower waits for a free connection. */
  public Duration maxWait() {
    return maxWait;
  }

  /** Connections currently lent out. */
  public int borrowed() {
    return borrowed.get();
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection physical;
    try {
      physical = idle.poll(maxWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted waiting for a connection", e);
    }
    if (physical == null) {
      throw new SQLException("no connection free within " + maxWait.toMillis() + " ms", "08001");
    }
    borrowed.incrementAndGet();
    boolean[] closed = {false};
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "close":
              synchronized (closed) {
                if (!closed[0]) {
                  closed[0] = true;
                  try {
                    if (!physical.getAutoCommit()) {
                      physical.rollback();
                      physical.setAutoCommit(true);
                    }
                  } finally {
                    borrowed.decrementAndGet();
                    idle.add(physical);
                  }
                }
              }
              return null;
            case "isClosed":
              return closed[0];
            case "equals":
              return proxy == args[0];
            case "hashCode":
              return System.identityHashCode(proxy);
            case "toString":
              return "TestPool connection" + (closed[0] ? " (closed)" : "");
            default:
              if (closed[0]) {
                throw new SQLException("connection returned to the pool", "08003");
              }
              try {
                return method.invoke(physical, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
          }
        });
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException();
  }

  /** Closes every physical connection. */
  @Override
  public void close() throws SQLException {
    SQLException first = null;
    for (Connection c : all) {
      try {
        c.close();
      } catch (SQLException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
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
