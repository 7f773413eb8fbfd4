package dev.bulwark.common.internal.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.common.jdbc.Jdbc;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The settings every JDBC store builder checks, without a database. */
class JdbcStoreSettingsTest {

  /** Never asked for a connection by these tests. */
  static final class NoDataSource implements DataSource {
    @Override
    public Connection getConnection() throws SQLException {
      throw new SQLException("no database in a unit test", "08001");
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      return getConnection();
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

  @Test
  void defaults_areTwoSecondsAndCreateSchema() {
    JdbcStoreSettings s = new JdbcStoreSettings(new NoDataSource());
    assertEquals(Duration.ofSeconds(2), s.queryTimeout());
    assertTrue(s.createSchema());
    s.createSchema(false);
    assertFalse(s.createSchema());
    assertThrows(NullPointerException.class, () -> new JdbcStoreSettings(null));
  }

  @Test
  void queryTimeout_isBetweenAMillisecondAndAMinute_andRefusalsChangeNothing() {
    JdbcStoreSettings s = new JdbcStoreSettings(new NoDataSource());
    s.queryTimeout(Duration.ofMillis(1));
    s.queryTimeout(Duration.ofMinutes(1));
    for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofNanos(999_999), Duration.ofSeconds(-1),
        Duration.ofMinutes(1).plusMillis(1)}) {
      assertThrows(IllegalArgumentException.class, () -> s.queryTimeout(bad), bad.toString());
    }
    assertThrows(NullPointerException.class, () -> s.queryTimeout(null));
    assertEquals(Duration.ofMinutes(1), s.queryTimeout());
  }

  @Test
  void theStatementTimeout_isRoundedUpToWholeSeconds_atLeastOne() {
    Jdbc jdbc = Jdbc.of(new NoDataSource(), IllegalStateException::new);
    assertEquals(1, new TimedJdbc(jdbc, Duration.ofMillis(1)).queryTimeoutSeconds());
    assertEquals(1, new TimedJdbc(jdbc, Duration.ofMillis(1000)).queryTimeoutSeconds());
    assertEquals(2, new TimedJdbc(jdbc, Duration.ofMillis(1001)).queryTimeoutSeconds());
    assertEquals(60, new TimedJdbc(jdbc, Duration.ofMinutes(1)).queryTimeoutSeconds());
  }
}
