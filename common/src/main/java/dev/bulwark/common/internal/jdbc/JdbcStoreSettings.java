package dev.bulwark.common.internal.jdbc;

import dev.bulwark.common.jdbc.Jdbc;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.common.jdbc.JdbcStoreBuilder;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiFunction;
import javax.sql.DataSource;

/**
 * What a module's JDBC store builder collects, with the checks every such builder makes: the data
 * source, how long one statement may run (default 2 s, between 1 ms and 1 minute; JDBC counts
 * whole seconds, so it is rounded up to at least 1 s) and whether the store applies the module's
 * migrations on start ({@code createSchema}, default true) or only checks its tables, read-only.
 * {@link JdbcStoreBuilder}, the base of the stores' public builders, keeps one and forwards its
 * setters here; a store's constructor takes a copy ({@link #of}) and calls {@link #open}. Not thread-safe, like the builders.
 */
public final class JdbcStoreSettings {

  /** The default limit of one statement. */
  public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(2);

  private final DataSource dataSource;
  private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
  private boolean createSchema = true;

  public JdbcStoreSettings(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /** A copy of what {@code builder} collected (its setters have checked it). */
  public static JdbcStoreSettings of(JdbcStoreBuilder<?, ?> builder) {
    JdbcStoreSettings s = new JdbcStoreSettings(builder.dataSource());
    s.queryTimeout = builder.queryTimeout();
    s.createSchema = builder.createsSchema();
    return s;
  }

  /** @throws IllegalArgumentException unless between 1 ms and 1 minute */
  public void queryTimeout(Duration queryTimeout) {
    Objects.requireNonNull(queryTimeout, "queryTimeout");
    if (queryTimeout.toMillis() < 1 || queryTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("queryTimeout must be between 1 ms and 1 minute");
    }
    this.queryTimeout = queryTimeout;
  }

  public void createSchema(boolean createSchema) {
    this.createSchema = createSchema;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public Duration queryTimeout() {
    return queryTimeout;
  }

  public boolean createSchema() {
    return createSchema;
  }

  /**
   * Brings {@code schema} up to date (or, with {@code createSchema(false)}, only checks it) and
   * returns the store's transaction helper with its statement timeout.
   *
   * @param schemaFailure the module's store exception when the schema cannot be made or is not there
   * @param failure the module's store exception for a failed operation
   * @throws RuntimeException made by {@code schemaFailure}
   */
  public TimedJdbc open(JdbcSchema schema,
      BiFunction<String, SQLException, ? extends RuntimeException> schemaFailure,
      BiFunction<String, SQLException, ? extends RuntimeException> failure) {
    Objects.requireNonNull(schema, "schema");
    TimedJdbc jdbc = new TimedJdbc(Jdbc.of(dataSource, failure), queryTimeout);
    schema.apply(dataSource, createSchema, schemaFailure);
    return jdbc;
  }

  /** {@link #open(JdbcSchema, BiFunction, BiFunction)} with one exception for both. */
  public TimedJdbc open(JdbcSchema schema, BiFunction<String, SQLException, ? extends RuntimeException> failure) {
    return open(schema, failure, failure);
  }

  @Override
  public String toString() {
    return "JdbcStoreSettings[" + queryTimeout + (createSchema ? ", createSchema" : ", checkSchema") + "]";
  }
}
