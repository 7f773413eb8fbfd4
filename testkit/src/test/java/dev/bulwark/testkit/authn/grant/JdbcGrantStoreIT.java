package dev.bulwark.testkit.authn.grant;

import dev.bulwark.authn.grant.jdbc.JdbcGrantStore;
import dev.bulwark.authn.grant.spi.GrantStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testkit.PostgresDatabase;
import org.junit.jupiter.api.AfterEach;

class JdbcGrantStoreIT extends GrantStoreContract {

  private PostgresDatabase db;

  @Override
  protected GrantStore createStore(FakeClock clock) {
    db = PostgresDatabase.create("authn_grant");
    return new JdbcGrantStore(db.dataSource());
  }

  @AfterEach
  void dropSchema() throws Exception {
    db.close();
  }
}
