package dev.bulwark.testkit.authz;

import dev.bulwark.authz.jdbc.JdbcAuthzStore;
import dev.bulwark.authz.spi.AuthzStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testkit.PostgresDatabase;
import org.junit.jupiter.api.AfterEach;

class JdbcAuthzStoreIT extends AuthzStoreContract {

  private PostgresDatabase db;

  @Override
  protected AuthzStore createStore(FakeClock clock) {
    db = PostgresDatabase.create("authz_store");
    return new JdbcAuthzStore(db.dataSource());
  }

  @AfterEach
  void dropSchema() throws Exception {
    db.close();
  }
}
