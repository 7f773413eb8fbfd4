package dev.bulwark.testkit.authz;

import dev.bulwark.authz.jdbc.JdbcAuthzStore;
import dev.bulwark.authz.spi.AuthzStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import org.junit.jupiter.api.AfterEach;

class JdbcAuthzStoreIT extends AuthzStoreContract {

  private PostgresSchema db;

  @Override
  protected AuthzStore createStore(FakeClock clock) {
    db = PostgresSchema.create("authz_store");
    return JdbcAuthzStore.create(db.dataSource());
  }

  @AfterEach
  void dropSchema() throws Exception {
    db.close();
  }
}
