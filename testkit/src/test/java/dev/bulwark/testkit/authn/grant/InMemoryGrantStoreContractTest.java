package dev.bulwark.testkit.authn.grant;

import dev.bulwark.authn.grant.spi.GrantStore;
import dev.bulwark.testing.FakeClock;

class InMemoryGrantStoreContractTest extends GrantStoreContract {
  @Override
  protected GrantStore createStore(FakeClock clock) {
    return GrantStore.inMemory();
  }
}
