package dev.bulwark.testkit.authn.grant;

import dev.bulwark.authn.grant.jdbc.JdbcGrantStore;
import dev.bulwark.authn.grant.spi.GrantStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testkit.SchemaPerTest;
import org.junit.jupiter.api.extension.RegisterExtension;

class JdbcGrantStoreIT extends GrantStoreContract {

  @RegisterExtension
  final SchemaPerTest db = new SchemaPerTest("authn_grant");

  @Override
  protected GrantStore createStore(FakeClock clock) {
    return new JdbcGrantStore(db.dataSource());
  }
}
