package dev.bulwark.common.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A module's PostgreSQL schema: versioned migration files published on the class path, and the
 * tables and columns the module's stores read.
 *
 * <p>The migration files are plain SQL ({@code V1__tables.sql}, {@code V2__timestamptz.sql}, …)
 * under {@code db/migration/bulwark-<module>/} in the module's jar, so a deployment whose
 * runtime role has no CREATE right hands them to Flyway or Liquibase (one history table per
 * module, since every module numbers its own versions from 1) and constructs the stores with
 * {@code createSchema(false)}; then no store runs DDL, and {@link #check} only reads.
 *
 * <p>With {@code createSchema(true)} (each store's default), {@link #apply} runs the missing
 * migrations in one transaction behind a transaction-level advisory lock shared by every Bulwark
 * module, so any number of nodes may start at once ({@code CREATE TABLE IF NOT EXISTS} alone races
 * on PostgreSQL's catalog), and records each in {@code bulwark_schema_history}. Every migration is
 * written to be idempotent, so a database made by an earlier release without a history table
 * converges. If the role may not create (the transaction fails), {@code apply} falls back to the
 * read-only check and fails only when the tables are not there or not of the expected shape.
 *
 * <p>Immutable and thread-safe.
 */
public final class JdbcSchema {

  /** The advisory lock every Bulwark module takes around its DDL. */
  static final String LOCK = "bulwark.schema";

  /** Where applied migrations are recorded: one row per module and version. */
  public static final String HISTORY_TABLE = "bulwark_schema_history";

  private static final Pattern FILE = Pattern.compile("V([1-9][0-9]{0,5})__([a-z0-9_]+)\\.sql");

  private final String module;
  private final Class<?> anchor;
  private final String directory;
  private final List<Migration> migrations;
  private final Map<String, List<String[]>> tables;

  /** One migration file. */
  public record Migration(int version, String description, String resource, List<String> statements) {
    public Migration {
      statements = List.copyOf(statements);
    }
  }

  private JdbcSchema(Builder b) {
    this.module = b.module;
    this.anchor = b.anchor;
    this.directory = b.directory;
    List<Migration> list = new ArrayList<>();
    TreeSet<Integer> seen = new TreeSet<>();
    for (String file : b.files) {
      Matcher m = FILE.matcher(file);
      if (!m.matches()) {
        throw new IllegalArgumentException("migration file name must look like V1__description.sql: " + file);
      }
      int version = Integer.parseInt(m.group(1));
      if (!seen.add(version)) {
        throw new IllegalArgumentException("two migrations with version " + version);
      }
      String resource = directory + file;
      list.add(new Migration(version, m.group(2), resource, SqlScript.statements(read(anchor, resource))));
    }
    list.sort((x, y) -> Integer.compare(x.version(), y.version()));
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).version() != i + 1) {
        throw new IllegalArgumentException("migration versions must run 1, 2, 3, … without gaps");
      }
    }
    this.migrations = List.copyOf(list);
    this.tables = new LinkedHashMap<>(b.tables);
  }

  /**
   * Starts a schema for {@code module} (for example {@code "authn"}); its migration files are read
   * from {@code /db/migration/bulwark-<module>/} through {@code anchor}'s class loader.
   */
  public static Builder builder(String module, Class<?> anchor) {
    return new Builder(module, anchor);
  }

  /** The module this schema belongs to. */
  public String module() {
    return module;
  }

  /** The class-path directory of the migration files, for a host's Flyway or Liquibase. */
  public String migrationDirectory() {
    return directory;
  }

  /** The migrations, in version order. */
  public List<Migration> migrations() {
    return migrations;
  }

  /**
   * Brings the schema up to date ({@code create}) or only checks it (not {@code create}); then the
   * tables must be readable with the expected columns.
   *
   * @param failure the module's store exception for a message and a cause
   * @throws RuntimeException made by {@code failure} when the schema cannot be made or is not there
   */
  public void apply(DataSource ds, boolean create,
      java.util.function.BiFunction<String, SQLException, ? extends RuntimeException> failure) {
    Objects.requireNonNull(ds, "dataSource");
    SQLException createFailure = null;
    if (create) {
      try {
        migrate(ds);
      } catch (SQLException e) {
        createFailure = e;
      }
    }
    try {
      check(ds);
    } catch (SQLException e) {
      if (createFailure != null && createFailure != e) {
        e.addSuppressed(createFailure);
      }
      throw failure.apply(describeMissing(create), e);
    }
  }

  /**
   * Reads every table the module uses with {@code WHERE 1 = 0} and compares the column types; runs
   * no DDL and writes nothing.
   *
   * @throws SQLException if a table or column is missing or a column has another type
   */
  public void check(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (Map.Entry<String, List<String[]>> t : tables.entrySet()) {
        StringBuilder cols = new StringBuilder();
        for (String[] col : t.getValue()) {
          cols.append(cols.length() == 0 ? "" : ", ").append(col[0]);
        }
        try (ResultSet rs = s.executeQuery("SELECT " + cols + " FROM " + t.getKey() + " WHERE 1 = 0")) {
          ResultSetMetaData md = rs.getMetaData();
          List<String[]> expected = t.getValue();
          for (int i = 0; i < expected.size(); i++) {
            String want = expected.get(i)[1];
            String got = md.getColumnTypeName(i + 1).toLowerCase(Locale.ROOT);
            if (want != null && !want.equals(got)) {
              throw new SQLException("column " + t.getKey() + "." + expected.get(i)[0] + " is " + got
                  + ", expected " + want + " (a migration of " + directory + " has not been applied)", "42804");
            }
          }
        }
      }
    }
  }

  private void migrate(DataSource ds) throws SQLException {
    Jdbc.transaction(ds, c -> {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(hashtext('" + LOCK + "'))");
        s.execute("CREATE TABLE IF NOT EXISTS " + HISTORY_TABLE + " ("
            + "module text NOT NULL, version integer NOT NULL, description text NOT NULL, "
            + "installed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (module, version))");
        TreeSet<Integer> applied = new TreeSet<>();
        try (PreparedStatement q = c.prepareStatement("SELECT version FROM " + HISTORY_TABLE + " WHERE module = ?")) {
          q.setString(1, module);
          try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
              applied.add(rs.getInt(1));
            }
          }
        }
        for (Migration m : migrations) {
          if (applied.contains(m.version())) {
            continue;
          }
          for (String sql : m.statements()) {
            s.execute(sql);
          }
          try (PreparedStatement ins = c.prepareStatement(
              "INSERT INTO " + HISTORY_TABLE + " (module, version, description) VALUES (?, ?, ?)")) {
            ins.setString(1, module);
            ins.setInt(2, m.version());
            ins.setString(3, m.description());
            ins.executeUpdate();
          }
        }
      }
      return null;
    });
  }

  private String describeMissing(boolean create) {
    return "the bulwark-" + module + " tables are missing or out of date"
        + (create ? " and could not be created" : "")
        + ": apply the migrations in classpath:" + directory + " (V1 to V" + migrations.size() + ")";
  }

  private static String read(Class<?> anchor, String resource) {
    try (InputStream in = anchor.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalArgumentException("migration file not on the class path: " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  @Override
  public String toString() {
    return "JdbcSchema[" + module + ", V" + migrations.size() + ", " + tables.keySet() + "]";
  }

  /** Configures a {@link JdbcSchema}. */
  public static final class Builder {
    private final String module;
    private final Class<?> anchor;
    private final String directory;
    private final List<String> files = new ArrayList<>();
    private final Map<String, List<String[]>> tables = new LinkedHashMap<>();

    private Builder(String module, Class<?> anchor) {
      if (!Objects.requireNonNull(module, "module").matches("[a-z][a-z0-9]{0,31}")) {
        throw new IllegalArgumentException("module must be a lower-case word");
      }
      this.module = module;
      this.anchor = Objects.requireNonNull(anchor, "anchor");
      this.directory = "db/migration/bulwark-" + module + "/";
    }

    /** Adds migration files by name ({@code V1__tables.sql}); versions must run 1, 2, 3, …. */
    public Builder migrations(String... fileNames) {
      files.addAll(List.of(fileNames));
      return this;
    }

    /**
     * Declares a table the module's stores read and its columns, each as {@code "name"} or
     * {@code "name type"} with PostgreSQL's type name as the driver reports it ({@code text},
     * {@code bytea}, {@code int8}, {@code int4}, {@code bool}, {@code timestamptz}, {@code jsonb}).
     */
    public Builder table(String name, String... columns) {
      if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
        throw new IllegalArgumentException("table name: " + name);
      }
      List<String[]> cols = new ArrayList<>();
      for (String col : columns) {
        String[] parts = col.trim().split("\\s+");
        if (parts.length > 2 || !parts[0].matches("[a-z_][a-z0-9_]{0,62}")) {
          throw new IllegalArgumentException("column: " + col);
        }
        cols.add(new String[] {parts[0], parts.length == 2 ? parts[1].toLowerCase(Locale.ROOT) : null});
      }
      if (cols.isEmpty()) {
        throw new IllegalArgumentException("a table needs at least one column");
      }
      tables.put(name, List.copyOf(cols));
      return this;
    }

    public JdbcSchema build() {
      if (files.isEmpty()) {
        throw new IllegalStateException("no migration files");
      }
      return new JdbcSchema(this);
    }
  }
}
