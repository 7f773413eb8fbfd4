package dev.bulwark.testkit.authn.totp;

import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.testing.FakeClock;

class InMemoryTotpCredentialStoreContractTest extends TotpCredentialStoreContract {
  @Override
  protected TotpCredentialStore createStore(FakeClock clock) {
    return TotpCredentialStore.inMemory();
  }
}
