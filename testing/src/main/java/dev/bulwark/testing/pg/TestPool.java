package dev.bulwark.testing.pg;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A connection pool standing in for an application node's pool: two pools are two nodes that share
 * nothing but the database. Three kinds:
 *
 * <ul>
 *   <li>{@link #of(DataSource, int, Duration) of}: a fixed number of connections, opened up front.
 *       A borrower waits up to {@link #maxWait} for a free one, then gets an {@link SQLException},
 *       as with a production pool that is exhausted.</li>
 *   <li>{@link #growing}: opens a connection whenever none is free and keeps it, as a host's pool
 *       sized for its threads would; for benchmarks, which then measure the work rather than
 *       PostgreSQL's backend start-up.</li>
 *   <li>{@link #lending}: lends the one connection the test holds and hands it back exactly as the
 *       borrower left it, so the test can check on that connection what the code under test left
 *       behind (an open transaction, a setting, auto-commit off).</li>
 * </ul>
 *
 * Closing a borrowed connection returns it (rolled back to auto-commit if a transaction was left
 * open, except for {@link #lending}); closing it twice is harmless, and using it afterwards is an
 * {@link SQLException}. Thread-safe.
 */
public final class TestPool extends FixtureDataSource implements AutoCloseable {

  private final BlockingQueue<Connection> idle = new LinkedBlockingQueue<>();
  private final List<Connection> owned = new ArrayList<>();
  private final DataSource grow;
  private final boolean reset;
  private final Duration maxWait;
  private final AtomicInteger borrowed = new AtomicInteger();

  private TestPool(DataSource grow, boolean reset, Duration maxWait) {
    this.grow = grow;
    this.reset = reset;
    this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
  }

  /** A pool of {@code size} connections of {@code target}; borrowers wait up to 60 s. */
  public static TestPool of(DataSource target, int size) throws SQLException {
    return of(target, size, Duration.ofSeconds(60));
  }

  /** A pool of {@code size} connections of {@code target}; borrowers wait up to {@code maxWait}. */
  public static TestPool of(DataSource target, int size, Duration maxWait) throws SQLException {
    Objects.requireNonNull(target, "target");
    if (size < 1) {
      throw new IllegalArgumentException("size must be at least 1");
    }
    TestPool pool = new TestPool(null, true, maxWait);
    try {
      for (int i = 0; i < size; i++) {
        pool.idle.add(pool.open(target));
      }
    } catch (SQLException | RuntimeException e) {
      try {
        pool.close();
      } catch (SQLException close) {
        e.addSuppressed(close);
      }
      throw e;
    }
    return pool;
  }

  /**
   * A pool that opens a connection of {@code target} whenever none is free, never waits, and
   * keeps every connection it opened until {@link #close()}.
   */
  public static TestPool growing(DataSource target) {
    return new TestPool(Objects.requireNonNull(target, "target"), true, Duration.ZERO);
  }

  /**
   * A pool of the one connection {@code physical}, which stays the test's: the pool neither
   * resets it when a borrower gives it back nor closes it. A borrower waits up to 5 s for it.
   */
  public static TestPool lending(Connection physical) {
    TestPool pool = new TestPool(null, false, Duration.ofSeconds(5));
    pool.idle.add(Objects.requireNonNull(physical, "physical"));
    return pool;
  }

  private Connection open(DataSource target) throws SQLException {
    Connection c = target.getConnection();
    synchronized (owned) {
      owned.add(c);
    }
    return c;
  }

  /** How long a borrower waits for a free connection (zero for a growing pool, which never waits). */
  public Duration maxWait() {
    return maxWait;
  }

  /** Connections currently lent out. */
  public int borrowed() {
    return borrowed.get();
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection physical = idle.poll();
    if (grow != null) {
      while (physical != null && physical.isClosed()) {
        physical = idle.poll();
      }
      if (physical == null) {
        physical = open(grow);
      }
    } else if (physical == null) {
      try {
        physical = idle.poll(maxWait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted waiting for a connection", e);
      }
      if (physical == null) {
        throw new SQLException("no connection free within " + maxWait.toMillis() + " ms", "08001");
      }
    }
    borrowed.incrementAndGet();
    return borrowedConnection(physical);
  }

  private Connection borrowedConnection(Connection physical) {
    boolean[] closed = {false};
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "close":
              synchronized (closed) {
                if (!closed[0]) {
                  closed[0] = true;
                  try {
                    if (reset && !physical.getAutoCommit()) {
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

  /** Closes every physical connection the pool opened (a {@link #lending} pool's stays open). */
  @Override
  public void close() throws SQLException {
    List<Connection> all;
    synchronized (owned) {
      all = new ArrayList<>(owned);
      owned.clear();
    }
    idle.clear();
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
  public String toString() {
    return "TestPool[" + (grow != null ? "growing" : reset ? "fixed" : "lending") + ", " + borrowed.get() + " lent]";
  }
}
