package dev.bulwark.spring.autoconfigure;

import dev.bulwark.audit.CheckpointSigner;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Base64;

/** Valid secrets for the tests, generated once per run. */
final class TestSecrets {

  static final String MASTER_KEY = random(32);
  static final String PEPPER = random(32);
  static final String CHAIN_KEY = random(32);
  static final String CHECKPOINT_KEY;
  static final String VERIFIER_KEY;
  static final String OTHER_VERIFIER_KEY;

  static {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
      KeyPair kp = g.generateKeyPair();
      CHECKPOINT_KEY = Base64.getEncoder().encodeToString(kp.getPrivate().getEncoded());
      VERIFIER_KEY = CheckpointSigner.of("test-origin", kp).publicKey().vkey();
      OTHER_VERIFIER_KEY = CheckpointSigner.of("test-origin", g.generateKeyPair()).publicKey().vkey();
    } catch (java.security.GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private TestSecrets() {}

  static String random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  /** Every secret set and every store in memory. */
  static String[] all() {
    return new String[] {
        "bulwark.crypto.master-key=" + MASTER_KEY,
        "bulwark.crypto.store=memory",
        "bulwark.authn.pepper=" + PEPPER,
        "bulwark.authn.store=memory",
        "bulwark.audit.origin=test-origin",
        "bulwark.audit.store=memory",
        "bulwark.audit.chain-key=" + CHAIN_KEY,
        "bulwark.audit.checkpoint-key=" + CHECKPOINT_KEY,
        "bulwark.audit.checkpoint-verifier-key=" + VERIFIER_KEY,
    };
  }

  /** {@link #all()} without the properties whose names start with {@code prefix}. */
  static String[] allBut(String prefix) {
    return java.util.Arrays.stream(all()).filter(p -> !p.startsWith(prefix)).toArray(String[]::new);
  }
}
