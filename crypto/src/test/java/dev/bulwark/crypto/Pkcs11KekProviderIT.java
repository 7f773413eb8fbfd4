package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bulwark.crypto.spi.Kek;
import dev.bulwark.crypto.spi.KekProvider;
import dev.bulwark.crypto.spi.KekRef;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * KEKs inside a SoftHSM2 token through the JDK's SunPKCS11 provider. Needs the environment that
 * {@code .ci/run} sets up: SOFTHSM2_CONF, BULWARK_PKCS11_LIBRARY, BULWARK_PKCS11_PIN and
 * BULWARK_PKCS11_TOKEN_LABEL (an initialised token with that label). Fails if any is missing.
 */
class Pkcs11KekProviderIT {
  private static Provider provider;
  private static KeyStore keyStore;

  private static String env(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      fail(name + " is not set: the PKCS#11 integration test needs SoftHSM2 (Debian package softhsm2) "
          + "and the environment that .ci/run exports (SOFTHSM2_CONF, BULWARK_PKCS11_LIBRARY, "
          + "BULWARK_PKCS11_PIN, BULWARK_PKCS11_TOKEN_LABEL)");
    }
    return v;
  }

  /** SunPKCS11 addresses tokens by slot id; SoftHSM2 assigns it at init, so look it up by label. */
  private static String slotOf(String label) throws Exception {
    Process p = new ProcessBuilder("softhsm2-util", "--show-slots").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "softhsm2-util --show-slots failed: " + out);
    String slot = null;
    for (String line : out.split("\n")) {
      String t = line.trim();
      if (line.startsWith("Slot ")) {
        slot = t.substring(5).trim();
      } else if (t.startsWith("Label:") && t.substring(6).trim().equals(label)) {
        return slot;
      }
    }
    fail("no SoftHSM2 token labelled '" + label + "'; initialise it with softhsm2-util --init-token");
    return null;
  }

  @BeforeAll
  static void token() throws Exception {
    env("SOFTHSM2_CONF");
    String library = env("BULWARK_PKCS11_LIBRARY");
    String pin = env("BULWARK_PKCS11_PIN");
    String slot = slotOf(env("BULWARK_PKCS11_TOKEN_LABEL"));
    String config = "--name=bulwark-it\nlibrary=" + library + "\nslot=" + slot + "\n"
        + "attributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n";
    provider = Security.getProvider("SunPKCS11").configure(config);
    keyStore = KeyStore.getInstance("PKCS11", provider);
    keyStore.load(null, pin.toCharArray());
  }

  @Test
  void kekIsGeneratedInsideTheToken_nonExtractable_andWrapsWithGcm() throws Exception {
    KekProvider hsm = KekProviders.pkcs11(provider, keyStore);
    KekRef ref = hsm.create("it-wrap", 1);
    String label = new String(ref.reference().toByteArray(), StandardCharsets.UTF_8);
    assertTrue(label.startsWith("bulwark.it-wrap.v1."), label);
    Key key = keyStore.getKey(label, null);
    assertTrue(key instanceof SecretKey);
    assertNull(key.getEncoded(), "the KEK must not be extractable");
    Kek kek = hsm.open(ref);
    byte[] dek = new byte[32];
    new java.security.SecureRandom().nextBytes(dek);
    byte[] aad = "aad".getBytes(StandardCharsets.US_ASCII);
    byte[] wrapped = kek.wrap(dek, aad);
    assertEquals(60, wrapped.length);
    assertArrayEquals(dek, kek.unwrap(wrapped, aad));
    assertThrows(DecryptionFailedException.class, () -> kek.unwrap(wrapped, "other".getBytes(StandardCharsets.US_ASCII)));
    wrapped[20] ^= 1;
    assertThrows(DecryptionFailedException.class, () -> kek.unwrap(wrapped, aad));
    hsm.destroy(ref);
    hsm.destroy(ref);
    assertFalse(keyStore.containsAlias(label));
    assertThrows(KeyUnavailableException.class, () -> hsm.open(ref));
  }

  @Test
  void envelope_withHsmKeks_rotatesRewrapsAndShreds() throws Exception {
    KekProvider hsm = KekProviders.pkcs11(provider, keyStore);
    Keyrings keyrings = Keyrings.builder(KeyringStores.inMemory(), hsm).build();
    Envelope env = Envelope.builder(keyrings).keyringId("it-tenant").build();
    EncryptionContext ctx = EncryptionContext.of("tenant", "it");
    byte[] msg = "held by the HSM".getBytes(StandardCharsets.UTF_8);
    byte[] v1 = env.encrypt(msg, ctx);
    assertEquals(129 + "it-tenant".length(), v1.length - msg.length); // format 3, 60-byte wrapped DEK
    keyrings.keyring("it-tenant").rotate();
    byte[] moved = env.rewrap(v1);
    assertEquals(2, Envelope.inspect(moved).kekVersion());
    assertArrayEquals(msg, env.decrypt(v1, ctx));
    assertArrayEquals(msg, env.decrypt(moved, ctx));
    List<String> before = Collections.list(keyStore.aliases());
    assertEquals(2, before.stream().filter(a -> a.startsWith("bulwark.it-tenant.")).count());
    ShredReceipt receipt = keyrings.shred("it-tenant");
    assertEquals(List.of(1, 2), receipt.versionsDestroyed());
    assertEquals(0, Collections.list(keyStore.aliases()).stream().filter(a -> a.startsWith("bulwark.it-tenant.")).count());
    assertThrows(ScopeShreddedException.class, () -> env.decrypt(moved, ctx));
  }
}
