package dev.bulwark.cli;

import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.jdbc.TableMapping;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * What the commands take from outside the command line: the clock and how stores are opened.
 * {@link #system()} is what the executable uses; tests pass their own clock and stores.
 *
 * @param clock the time source for purges and key ages
 * @param dataSources opens a database from the connection options
 * @param lifecycleStores opens the lifecycle store for {@code lifecycle purge}
 */
public record Environment(Clock clock, DataSourceOpener dataSources, LifecycleStoreOpener lifecycleStores) {

  public Environment {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(dataSources, "dataSources");
    Objects.requireNonNull(lifecycleStores, "lifecycleStores");
  }

  /** The system clock, PostgreSQL through its JDBC driver, and the JDBC lifecycle store. */
  public static Environment system() {
    return new Environment(Clock.systemUTC(), Database::open, Database::lifecycleStore);
  }

  /** The same environment with another clock. */
  public Environment withClock(Clock other) {
    return new Environment(other, dataSources, lifecycleStores);
  }

  /** The same environment with another lifecycle store. */
  public Environment withLifecycleStores(LifecycleStoreOpener other) {
    return new Environment(clock, dataSources, other);
  }

  /** Opens a database. */
  @FunctionalInterface
  public interface DataSourceOpener {
    /** MUST NOT return null; throws {@link CliException} for a bad URL. */
    DataSource open(Database.Options options);
  }

  /** Opens the lifecycle store the purge runs against. */
  @FunctionalInterface
  public interface LifecycleStoreOpener {
    /** MUST NOT return null. */
    LifecycleStore open(Environment env, Database.Options options, List<TableMapping> mappings);
  }
}
