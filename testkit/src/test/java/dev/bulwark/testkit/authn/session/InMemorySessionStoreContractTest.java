package dev.bulwark.testkit.authn.session;

import dev.bulwark.authn.session.spi.SessionStore;
import dev.bulwark.testing.FakeClock;

class InMemorySessionStoreContractTest extends SessionStoreContract {
  @Override
  protected SessionStore createStore(FakeClock clock) {
    return SessionStore.inMemory(clock);
  }
}
