package dev.bulwark.testkit.authn.webauthn;

import dev.bulwark.authn.webauthn.spi.CredentialStore;
import dev.bulwark.testing.FakeClock;

class InMemoryCredentialStoreContractTest extends CredentialStoreContract {
  @Override
  protected CredentialStore createStore(FakeClock clock) {
    return CredentialStore.inMemory();
  }
}
