package dev.bulwark.common.jdbc;

import dev.bulwark.common.internal.jdbc.JdbcStoreSettings;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The settings every JDBC store of Bulwark takes, written once: each store's {@code Builder}
 * extends this class with its own type as {@code B} and its store as {@code S}, adds the settings
 * of its own, and makes {@link #build()} open the store.
 *
 * <p>{@code createSchema} is an option of every store. {@link #queryTimeout(Duration)} is public
 * only on the builders of stores that give every statement that limit; elsewhere it stays at its
 * default and is not offered.
 *
 * <p>Not thread-safe: configure it on one thread, then call {@link #build()}.
 *
 * @param <B> the store's builder (what the setters return)
 * @param <S> the store
 */
public abstract class JdbcStoreBuilder<B extends JdbcStoreBuilder<B, S>, S> {

  private final JdbcStoreSettings settings;

  /** @throws NullPointerException if {@code dataSource} is null */
  protected JdbcStoreBuilder(DataSource dataSource) {
    this.settings = new JdbcStoreSettings(dataSource);
  }

  /**
   * Whether the store applies the missing migrations of its module (the files under
   * {@code db/migration/bulwark-<module>/}) on start (default true); with false it runs no DDL
   * and only checks, read-only, that its tables exist with the expected columns, so the runtime
   * role needs no CREATE right (the host's Flyway or Liquibase applies the same files).
   */
  public B createSchema(boolean createSchema) {
    settings.createSchema(createSchema);
    return self();
  }

  /**
   * How long one statement of the store may run (default 2 s; JDBC counts whole seconds, so it
   * is rounded up to at least 1 s). Protected: a store that applies it makes it public.
   *
   * @throws IllegalArgumentException unless between 1 ms and 1 minute
   */
  protected B queryTimeout(Duration queryTimeout) {
    settings.queryTimeout(queryTimeout);
    return self();
  }

  /** The data source the store will use. */
  public final DataSource dataSource() {
    return settings.dataSource();
  }

  /** Whether the store will apply its module's migrations on start (see {@link #createSchema(boolean)}). */
  public final boolean createsSchema() {
    return settings.createSchema();
  }

  /** The statement limit (see {@link #queryTimeout(Duration)}). */
  public final Duration queryTimeout() {
    return settings.queryTimeout();
  }

  /** The store with these settings; the store's builder documents what it throws. */
  public abstract S build();

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }
}
