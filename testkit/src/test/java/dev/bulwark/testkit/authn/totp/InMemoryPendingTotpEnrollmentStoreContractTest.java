package dev.bulwark.testkit.authn.totp;

import dev.bulwark.authn.totp.spi.PendingTotpEnrollmentStore;
import dev.bulwark.testing.FakeClock;

class InMemoryPendingTotpEnrollmentStoreContractTest extends PendingTotpEnrollmentStoreContract {
  @Override
  protected PendingTotpEnrollmentStore createStore(FakeClock clock) {
    return PendingTotpEnrollmentStore.inMemory();
  }
}
