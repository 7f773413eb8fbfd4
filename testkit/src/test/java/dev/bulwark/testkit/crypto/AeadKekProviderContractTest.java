package dev.bulwark.testkit.crypto;

import com.google.crypto.tink.subtle.AesGcmJce;
import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.spi.KekProvider;
import dev.bulwark.testing.FakeClock;
import java.security.SecureRandom;

/** A Tink Aead standing in for a KMS key. */
class AeadKekProviderContractTest extends KekProviderContract {
  @Override
  protected KekProvider createStore(FakeClock clock) throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return KekProviders.aead("test-kms://key-1", new AesGcmJce(key));
  }

  @Override
  protected boolean destroyRemovesMaterial() {
    return false;
  }

  @Override
  protected boolean distinctKeysPerVersion() {
    return false;
  }
}
