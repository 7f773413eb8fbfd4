package dev.bulwark.cli;

import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore;
import dev.bulwark.lifecycle.jdbc.TableMapping;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Option;

/** PostgreSQL connection options shared by the commands that read a database. */
public final class Database {

  private static final Pattern SCHEMA = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private Database() {}

  /** The connection options (a picocli mixin). Passwords never go on the command line. */
  public static final class Options {
    @Option(names = "--jdbc-url", paramLabel = "URL",
        description = "PostgreSQL JDBC URL, e.g. jdbc:postgresql://127.0.0.1:5432/app")
    String url;

    @Option(names = "--db-user", paramLabel = "USER", description = "Database user (default: the driver's default).")
    String user;

    @Option(names = "--db-password-env", paramLabel = "VAR",
        description = "Name of the environment variable that holds the database password.")
    String passwordEnv;

    @Option(names = "--db-schema", paramLabel = "SCHEMA", description = "Schema to use as the current schema.")
    String schema;

    /** Options for tests and hosts that build them in code. */
    public static Options of(String url, String user, String schema) {
      Options o = new Options();
      o.url = url;
      o.user = user;
      o.schema = schema;
      return o;
    }

    public boolean present() {
      return url != null;
    }

    public String url() {
      return url;
    }

    @Override
    public String toString() {
      return url + (schema == null ? "" : " (schema " + schema + ")");
    }
  }

  static DataSource open(Options o) {
    return open(o, System.getenv());
  }

  static DataSource open(Options o, Map<String, String> env) {
    if (o.url == null) {
      throw new CliException(ExitCode.USAGE, "--jdbc-url is required");
    }
    if (!o.url.startsWith("jdbc:postgresql:")) {
      throw new CliException(ExitCode.USAGE, "only PostgreSQL is supported: --jdbc-url must start with jdbc:postgresql:");
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    try {
      ds.setURL(o.url);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "malformed --jdbc-url: " + e.getMessage());
    }
    if (o.user != null) {
      ds.setUser(o.user);
    }
    if (o.passwordEnv != null) {
      String pw = env.get(o.passwordEnv);
      if (pw == null) {
        throw CliException.config("environment variable " + o.passwordEnv + " (from --db-password-env) is not set");
      }
      ds.setPassword(pw);
    }
    if (o.schema != null) {
      if (!SCHEMA.matcher(o.schema).matches()) {
        throw new CliException(ExitCode.USAGE, "--db-schema must be a plain SQL identifier");
      }
      ds.setCurrentSchema(o.schema);
    }
    ds.setConnectTimeout(10);
    return ds;
  }

  static LifecycleStore lifecycleStore(Environment env, Options o, List<TableMapping> mappings) {
    return JdbcLifecycleStore.create(env.dataSources().open(o), mappings);
  }
}
