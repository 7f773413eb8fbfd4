package dev.bulwark.testkit.authn.webauthn;

import dev.bulwark.authn.webauthn.jdbc.JdbcCredentialStore;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testkit.SchemaPerTest;
import org.junit.jupiter.api.extension.RegisterExtension;

class JdbcCredentialStoreIT extends CredentialStoreContract {

  @RegisterExtension
  final SchemaPerTest db = new SchemaPerTest("authn_webauthn");

  @Override
  protected CredentialStore createStore(FakeClock clock) {
    return new JdbcCredentialStore(db.dataSource());
  }
}
