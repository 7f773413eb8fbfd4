package dev.bulwark.testkit.authn.webauthn;

import dev.bulwark.authn.webauthn.jdbc.JdbcChallengeStore;
import dev.bulwark.authn.webauthn.spi.ChallengeStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import org.junit.jupiter.api.AfterEach;

class JdbcChallengeStoreIT extends ChallengeStoreContract {

  private PostgresSchema db;

  @Override
  protected ChallengeStore createStore(FakeClock clock) {
    db = PostgresSchema.create("authn_ceremony");
    return new JdbcChallengeStore(db.dataSource());
  }

  @AfterEach
  void dropSchema() throws Exception {
    db.close();
  }
}
