package dev.bulwark.testkit.authn.webauthn;

import dev.bulwark.authn.webauthn.jdbc.JdbcChallengeStore;
import dev.bulwark.authn.webauthn.spi.ChallengeStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testkit.SchemaPerTest;
import org.junit.jupiter.api.extension.RegisterExtension;

class JdbcChallengeStoreIT extends ChallengeStoreContract {

  @RegisterExtension
  final SchemaPerTest db = new SchemaPerTest("authn_ceremony");

  @Override
  protected ChallengeStore createStore(FakeClock clock) {
    return new JdbcChallengeStore(db.dataSource());
  }
}
