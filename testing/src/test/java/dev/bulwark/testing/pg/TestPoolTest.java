package dev.bulwark.testing.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The three kinds of pool, over connections that only record what is done to them. */
class TestPoolTest {

  /** A stand-in for a physical connection: auto-commit, rollbacks and close, nothing else. */
  static final class Physical {
    boolean autoCommit = true;
    int rollbacks;
    boolean closed;
    final Connection connection = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, m, args) -> switch (m.getName()) {
          case "getAutoCommit" -> autoCommit;
          case "setAutoCommit" -> {
            autoCommit = (Boolean) args[0];
            yield null;
          }
          case "rollback" -> {
            rollbacks++;
            yield null;
          }
          case "close" -> {
            closed = true;
            yield null;
          }
          case "isClosed" -> closed;
          case "getSchema" -> "physical-" + System.identityHashCode(this);
          default -> throw new UnsupportedOperationException(m.getName());
        });
  }

  /** Opens a new {@link Physical} on every request and keeps them. */
  static final class Opener extends FixtureDataSource {
    final List<Physical> opened = new ArrayList<>();

    @Override
    public synchronized Connection getConnection() {
      Physical p = new Physical();
      opened.add(p);
      return p.connection;
    }
  }

  @Test
  void fixed_opensItsConnectionsUpFront_resetsAReturnedTransaction_andFailsWhenExhausted() throws Exception {
    Opener db = new Opener();
    try (TestPool pool = TestPool.of(db, 2, Duration.ofMillis(50))) {
      assertEquals(2, db.opened.size());
      Connection a = pool.getConnection();
      Connection b = pool.getConnection();
      assertEquals(2, pool.borrowed());
      SQLException exhausted = assertThrows(SQLException.class, pool::getConnection);
      assertEquals("08001", exhausted.getSQLState());
      a.setAutoCommit(false);
      a.close();
      a.close();
      assertEquals(1, pool.borrowed(), "closing twice returns once");
      assertTrue(a.isClosed());
      assertThrows(SQLException.class, a::getSchema, "a returned connection cannot be used");
      Physical returned = db.opened.stream().filter(p -> p.rollbacks == 1).findFirst().orElseThrow();
      assertTrue(returned.autoCommit, "rolled back to auto-commit");
      Connection again = pool.getConnection();
      assertEquals(returned.connection.getSchema(), again.getSchema(), "the returned connection is lent again");
      assertNotSame(a, again);
      again.close();
      b.close();
    }
    assertTrue(db.opened.stream().allMatch(p -> p.closed), "close() closes every connection");
    assertEquals(2, db.opened.size());
  }

  @Test
  void growing_opensOnlyWhenNoneIsFree_andKeepsWhatItOpened() throws Exception {
    Opener db = new Opener();
    TestPool pool = TestPool.growing(db);
    assertEquals(0, db.opened.size());
    Connection a = pool.getConnection();
    Connection b = pool.getConnection();
    assertEquals(2, db.opened.size());
    b.setAutoCommit(false);
    b.close();
    a.close();
    for (int i = 0; i < 10; i++) {
      try (Connection c = pool.getConnection()) {
        c.getSchema();
      }
    }
    assertEquals(2, db.opened.size(), "free connections are reused");
    assertEquals(1, db.opened.get(1).rollbacks);
    assertTrue(db.opened.get(1).autoCommit);
    db.opened.get(0).closed = true;
    db.opened.get(1).closed = true;
    try (Connection c = pool.getConnection()) {
      assertEquals(3, db.opened.size(), "a connection closed underneath is replaced");
      assertEquals(db.opened.get(2).connection.getSchema(), c.getSchema());
    }
    assertEquals(Duration.ZERO, pool.maxWait());
    pool.close();
    assertTrue(db.opened.get(2).closed);
  }

  @Test
  void lending_handsBackTheConnectionAsTheBorrowerLeftIt_andNeverClosesIt() throws Exception {
    Physical physical = new Physical();
    try (TestPool pool = TestPool.lending(physical.connection)) {
      Connection c = pool.getConnection();
      c.setAutoCommit(false);
      c.close();
      assertFalse(physical.autoCommit, "left as the borrower left it");
      assertEquals(0, physical.rollbacks);
      try (Connection again = pool.getConnection()) {
        assertEquals(physical.connection.getSchema(), again.getSchema());
      }
    }
    assertFalse(physical.closed, "the connection stays the test's");
  }

  @Test
  void noOtherCredentials_andNoWrapping() {
    TestPool pool = TestPool.growing(new Opener());
    assertThrows(SQLFeatureNotSupportedException.class, () -> pool.getConnection("u", "p"));
    assertThrows(SQLException.class, () -> pool.unwrap(Connection.class));
    assertFalse(pool.isWrapperFor(Connection.class));
    assertThrows(IllegalArgumentException.class, () -> TestPool.of(new Opener(), 0));
  }
}
