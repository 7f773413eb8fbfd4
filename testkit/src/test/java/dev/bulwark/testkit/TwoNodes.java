package dev.bulwark.testkit;

import dev.bulwark.testing.pg.PostgresSchema;
import dev.bulwark.testing.pg.TestPool;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Two application nodes on one PostgreSQL for the ITs of a class: a throw-away schema (prefix
 * {@code it_<prefix>_}) and two fixed-size pools on it that share nothing but the database, made
 * before the class's tests and closed, the schema dropped, after them.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final TwoNodes NODES = new TwoNodes("authn_totp", 8);
 * }</pre>
 */
public final class TwoNodes implements BeforeAllCallback, AfterAllCallback {

  private final String prefix;
  private final int poolSize;
  private PostgresSchema schema;
  private TestPool a;
  private TestPool b;

  public TwoNodes(String prefix, int poolSize) {
    this.prefix = prefix;
    this.poolSize = poolSize;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    schema = PostgresSchema.create(prefix);
    a = schema.pool(poolSize);
    b = schema.pool(poolSize);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    // What beforeAll made, in reverse; a half-made fixture is closed as far as it got.
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
    if (schema != null) {
      schema.close();
    }
  }

  /** The schema both nodes use. */
  public PostgresSchema schema() {
    return schema;
  }

  /** Node A's pool: the one the contract's store runs on. */
  public TestPool a() {
    return a;
  }

  /** Node B's pool: another node over the same data. */
  public TestPool b() {
    return b;
  }

  /** Empties {@code tables} (one statement, through node A), so each test starts with no rows. */
  public void truncate(String... tables) throws Exception {
    PostgresSchema.execute(a, "TRUNCATE " + String.join(", ", tables));
  }
}
