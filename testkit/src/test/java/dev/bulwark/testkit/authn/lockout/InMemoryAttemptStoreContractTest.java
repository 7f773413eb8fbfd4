package dev.bulwark.testkit.authn.lockout;

import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.testing.FakeClock;

class InMemoryAttemptStoreContractTest extends AttemptStoreContract {
  @Override
  protected AttemptStore createStore(FakeClock clock) {
    return AttemptStore.inMemory(clock);
  }
}
