package dev.bulwark.testkit.crypto;

import dev.bulwark.crypto.KeyringStores;
import dev.bulwark.crypto.spi.KeyringStore;
import dev.bulwark.testing.FakeClock;

class InMemoryKeyringStoreContractTest extends KeyringStoreContract {
  @Override
  protected KeyringStore createStore(FakeClock clock) {
    return KeyringStores.inMemory();
  }
}
