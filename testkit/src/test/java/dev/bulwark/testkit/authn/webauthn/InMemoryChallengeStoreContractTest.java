package dev.bulwark.testkit.authn.webauthn;

import dev.bulwark.authn.webauthn.spi.ChallengeStore;
import dev.bulwark.testing.FakeClock;

class InMemoryChallengeStoreContractTest extends ChallengeStoreContract {
  @Override
  protected ChallengeStore createStore(FakeClock clock) {
    return ChallengeStore.inMemory(clock);
  }
}
