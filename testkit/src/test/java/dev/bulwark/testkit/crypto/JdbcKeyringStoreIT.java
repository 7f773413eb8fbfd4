package dev.bulwark.testkit.crypto;

import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.jdbc.JdbcKeyringStore;
import dev.bulwark.crypto.spi.KeyringStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testkit.SchemaPerTest;
import java.security.SecureRandom;
import java.util.Optional;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The keyring-store contract against PostgreSQL: each test in a schema of its own, and the second
 * node is another store over another data source (its own connections) on the same schema.
 */
class JdbcKeyringStoreIT extends KeyringStoreContract {

  @RegisterExtension
  final SchemaPerTest db = new SchemaPerTest("crypto_keyring");
  private com.google.crypto.tink.Aead master;

  @Override
  protected KeyringStore createStore(FakeClock clock) throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    master = KekProviders.masterKey(key);
    return new JdbcKeyringStore(db.dataSource(), master);
  }

  @Override
  protected Optional<KeyringStore> anotherNode() throws Exception {
    return Optional.of(new JdbcKeyringStore(db.dataSource(), master));
  }
}
