package dev.bulwark.testkit.authn.grant;

import dev.bulwark.authn.grant.jdbc.JdbcGrantStore;
import dev.bulwark.authn.grant.spi.GrantStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import org.junit.jupiter.api.AfterEach;

class JdbcGrantStoreIT extends GrantStoreContract {

  private PostgresSchema db;

  @Override
  protected GrantStore createStore(FakeClock clock) {
    db = PostgresSchema.create("authn_grant");
    return new JdbcGrantStore(db.dataSource());
  }

  @AfterEach
  void dropSchema() throws Exception {
    db.close();
  }
}
