package dev.bulwark.testkit.authz;

import dev.bulwark.authz.InMemoryAuthzStore;
import dev.bulwark.authz.spi.AuthzStore;
import dev.bulwark.testing.FakeClock;

class InMemoryAuthzStoreContractTest extends AuthzStoreContract {

  @Override
  protected AuthzStore createStore(FakeClock clock) {
    return new InMemoryAuthzStore();
  }
}
