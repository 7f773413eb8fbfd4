package dev.bulwark.testkit.crypto;

import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.KeyringStores;
import dev.bulwark.crypto.spi.KeyringStore;
import dev.bulwark.testing.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class FileKeyringStoreContractTest extends KeyringStoreContract {
  private Path file;
  private com.google.crypto.tink.Aead master;

  @Override
  protected KeyringStore createStore(FakeClock clock) throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    master = KekProviders.masterKey(key);
    file = Files.createTempDirectory("bulwark-keyring").resolve("keyring.bin");
    return KeyringStores.encryptedFile(file, master);
  }

  /** Another process would open the same file with its own instance. */
  @Override
  protected java.util.Optional<KeyringStore> anotherNode() throws Exception {
    return java.util.Optional.of(KeyringStores.encryptedFile(file, master));
  }

  @Test
  void reopenedFile_holdsTheSameRecords() throws Exception {
    org.junit.jupiter.api.Assertions.assertTrue(store.compareAndSet(0, record("tenant-x", 1, 3)));
    org.junit.jupiter.api.Assertions.assertEquals(store.load("tenant-x"),
        KeyringStores.encryptedFile(file, master).load("tenant-x"));
  }
}
