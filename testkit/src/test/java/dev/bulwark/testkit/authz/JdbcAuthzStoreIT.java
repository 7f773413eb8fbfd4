package dev.bulwark.testkit.authz;

import dev.bulwark.authz.jdbc.JdbcAuthzStore;
import dev.bulwark.authz.spi.AuthzStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testkit.SchemaPerTest;
import org.junit.jupiter.api.extension.RegisterExtension;

class JdbcAuthzStoreIT extends AuthzStoreContract {

  @RegisterExtension
  final SchemaPerTest db = new SchemaPerTest("authz_store");

  @Override
  protected AuthzStore createStore(FakeClock clock) {
    return JdbcAuthzStore.create(db.dataSource());
  }
}
