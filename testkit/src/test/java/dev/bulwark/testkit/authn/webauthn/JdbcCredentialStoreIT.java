package dev.bulwark.testkit.authn.webauthn;

import dev.bulwark.authn.webauthn.jdbc.JdbcCredentialStore;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testkit.PostgresDatabase;
import org.junit.jupiter.api.AfterEach;

class JdbcCredentialStoreIT extends CredentialStoreContract {

  private PostgresDatabase db;

  @Override
  protected CredentialStore createStore(FakeClock clock) {
    db = PostgresDatabase.create("authn_webauthn");
    return new JdbcCredentialStore(db.dataSource());
  }

  @AfterEach
  void dropSchema() throws Exception {
    db.close();
  }
}
