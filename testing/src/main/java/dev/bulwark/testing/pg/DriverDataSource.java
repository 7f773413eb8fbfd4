package dev.bulwark.testing.pg;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** Unpooled connections through {@link DriverManager}, optionally with a schema on the search path. */
final class DriverDataSource implements DataSource {

  private final String url;
  private final String user;
  private final String schema;

  DriverDataSource(String url, String user, String schema) {
    this.url = url;
    this.user = user;
    this.schema = schema;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (schema != null) {
      p.setProperty("currentSchema", schema);
    }
    return DriverManager.getConnection(url, p);
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("log in through PostgresSchema.as(role)");
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
  public String toString() {
    return "DriverDataSource[" + user + "@" + url + (schema == null ? "" : " schema " + schema) + "]";
  }
}
