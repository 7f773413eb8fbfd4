package dev.bulwark.testkit.authn.totp;

import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.testing.FakeClock;

class InMemoryUsedTotpStepStoreContractTest extends UsedTotpStepStoreContract {
  @Override
  protected UsedTotpStepStore createStore(FakeClock clock) {
    return UsedTotpStepStore.inMemory(clock);
  }
}
