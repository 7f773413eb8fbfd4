package dev.bulwark.testing.pg;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Unpooled connections through {@link DriverManager}, optionally with a schema on the search path. */
final class DriverDataSource extends FixtureDataSource {

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
  public String toString() {
    return "DriverDataSource[" + user + "@" + url + (schema == null ? "" : " schema " + schema) + "]";
  }
}
