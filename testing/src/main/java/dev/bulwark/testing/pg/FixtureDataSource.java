package dev.bulwark.testing.pg;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * What every data source of a test answers alike, so a fixture (these, or a test's own pool) writes
 * only {@link #getConnection()}: no log writer, no login timeout, no wrapped object, no log-in
 * with other credentials.
 */
public abstract class FixtureDataSource implements DataSource {

  /** For subclasses. */
  protected FixtureDataSource() {}

  /** Refused: a test data source has fixed credentials ({@link PostgresSchema#as} logs in as another role). */
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the fixture has fixed credentials; log in through PostgresSchema.as(role)");
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
