package dev.bulwark.testkit.authn.recovery;

import dev.bulwark.authn.recovery.spi.RecoveryCodeStore;
import dev.bulwark.testing.FakeClock;

class InMemoryRecoveryCodeStoreContractTest extends RecoveryCodeStoreContract {
  @Override
  protected RecoveryCodeStore createStore(FakeClock clock) {
    return RecoveryCodeStore.inMemory();
  }
}
