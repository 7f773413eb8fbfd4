package dev.bulwark.testkit.crypto;

import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.spi.KekProvider;
import dev.bulwark.testing.FakeClock;
import java.security.SecureRandom;

class LocalKekProviderContractTest extends KekProviderContract {
  @Override
  protected KekProvider createStore(FakeClock clock) throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return KekProviders.local(KekProviders.masterKey(key));
  }

  /** The reference is the only copy of the material; the keyring drops it. */
  @Override
  protected boolean destroyRemovesMaterial() {
    return false;
  }
}
