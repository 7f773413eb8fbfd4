package dev.bulwark.common.internal.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.common.jdbc.Jdbc;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The settings every JDBC store builder checks, without a database. */
class JdbcStoreSettingsTest {

  /** A data source these tests never get a connection from: every call fails. */
  private static DataSource noDatabase() {
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, method, args) -> {
          throw new SQLException("no database in a unit test", "08001");
        });
  }

  @Test
  void defaults_areTwoSecondsAndCreateSchema() {
    JdbcStoreSettings s = new JdbcStoreSettings(noDatabase());
    assertEquals(Duration.ofSeconds(2), s.queryTimeout());
    assertTrue(s.createSchema());
    s.createSchema(false);
    assertFalse(s.createSchema());
    assertThrows(NullPointerException.class, () -> new JdbcStoreSettings(null));
  }

  @Test
  void queryTimeout_isBetweenAMillisecondAndAMinute_andRefusalsChangeNothing() {
    JdbcStoreSettings s = new JdbcStoreSettings(noDatabase());
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
    Jdbc jdbc = Jdbc.of(noDatabase(), IllegalStateException::new);
    assertEquals(1, new TimedJdbc(jdbc, Duration.ofMillis(1)).queryTimeoutSeconds());
    assertEquals(1, new TimedJdbc(jdbc, Duration.ofMillis(1000)).queryTimeoutSeconds());
    assertEquals(2, new TimedJdbc(jdbc, Duration.ofMillis(1001)).queryTimeoutSeconds());
    assertEquals(60, new TimedJdbc(jdbc, Duration.ofMinutes(1)).queryTimeoutSeconds());
  }
}
