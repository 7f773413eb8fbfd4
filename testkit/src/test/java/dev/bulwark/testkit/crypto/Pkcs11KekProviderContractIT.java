package dev.bulwark.testkit.crypto;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.spi.KekProvider;
import dev.bulwark.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.util.concurrent.TimeUnit;

/**
 * The KEK-provider contract against a SoftHSM2 token (see crypto's Pkcs11KekProviderIT for the
 * environment). Fails if the environment is missing.
 */
class Pkcs11KekProviderContractIT extends KekProviderContract {
  private static Provider provider;
  private static KeyStore keyStore;

  private static String env(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      fail(name + " is not set: this test needs SoftHSM2 and the environment .ci/run exports "
          + "(SOFTHSM2_CONF, BULWARK_PKCS11_LIBRARY, BULWARK_PKCS11_PIN, BULWARK_PKCS11_TOKEN_LABEL)");
    }
    return v;
  }

  private static synchronized void open() throws Exception {
    if (provider != null) {
      return;
    }
    env("SOFTHSM2_CONF");
    String label = env("BULWARK_PKCS11_TOKEN_LABEL");
    Process p = new ProcessBuilder("softhsm2-util", "--show-slots").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    String slot = null;
    String found = null;
    for (String line : out.split("\n")) {
      if (line.startsWith("Slot ")) {
        slot = line.substring(5).trim();
      } else if (line.trim().startsWith("Label:") && line.trim().substring(6).trim().equals(label)) {
        found = slot;
        break;
      }
    }
    if (found == null) {
      fail("no SoftHSM2 token labelled '" + label + "'");
    }
    String config = "--name=bulwark-contract\nlibrary=" + env("BULWARK_PKCS11_LIBRARY") + "\nslot=" + found + "\n"
        + "attributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n";
    Provider configured = Security.getProvider("SunPKCS11").configure(config);
    KeyStore ks = KeyStore.getInstance("PKCS11", configured);
    ks.load(null, env("BULWARK_PKCS11_PIN").toCharArray());
    keyStore = ks;
    provider = configured;
  }

  @Override
  protected KekProvider createStore(FakeClock clock) throws Exception {
    open();
    return KekProviders.pkcs11(provider, keyStore);
  }
}
