package dev.bulwark.testkit;

import dev.bulwark.testing.pg.PostgresSchema;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A throw-away PostgreSQL schema (prefix {@code it_<prefix>_}) for each test of a contract IT: made
 * before the contract creates its store (extensions run before {@code @BeforeEach} methods) and
 * dropped after the test.
 *
 * <pre>{@code
 * @RegisterExtension
 * final SchemaPerTest db = new SchemaPerTest("authn_grant");
 *
 * @Override
 * protected GrantStore createStore(FakeClock clock) {
 *   return new JdbcGrantStore(db.dataSource());
 * }
 * }</pre>
 */
public final class SchemaPerTest implements BeforeEachCallback, AfterEachCallback {

  private final String prefix;
  private PostgresSchema schema;

  public SchemaPerTest(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    schema = PostgresSchema.create(prefix);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (schema != null) {
      schema.close();
      schema = null;
    }
  }

  /** This test's schema. */
  public PostgresSchema schema() {
    return schema;
  }

  /** Unpooled superuser connections on this test's schema. */
  public DataSource dataSource() {
    return schema.dataSource();
  }
}
