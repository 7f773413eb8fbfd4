package dev.bulwark.testkit.authn.webauthn;

import dev.bulwark.authn.webauthn.jdbc.JdbcCredentialStore;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import org.junit.jupiter.api.AfterEach;

class JdbcCredentialStoreIT extends CredentialStoreContract {

  private PostgresSchema db;

  @Override
  protected CredentialStore createStore(FakeClock clock) {
    db = PostgresSchema.create("authn_webauthn");
    return new JdbcCredentialStore(db.dataSource());
  }

  @AfterEach
  void dropSchema() throws Exception {
    db.close();
  }
}
