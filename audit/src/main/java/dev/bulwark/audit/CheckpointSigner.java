package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Objects;

/**
 * An Ed25519 private key (JDK provider) that signs checkpoints under a signed-note key name.
 * Several signers may sign each checkpoint, which is how keys rotate: sign with old and new for
 * a while, then retire the old one.
 *
 * <p>Security considerations: keep the key away from the store's credentials (an attacker who
 * holds both can re-sign a rewritten log). {@link #toString()} never shows key material.
 * Thread-safe.
 */
public final class CheckpointSigner {

  private final String name;
  private final PrivateKey privateKey;
  private final CheckpointKey publicKey;

  private CheckpointSigner(String name, PrivateKey privateKey, byte[] rawPublic) {
    CheckpointKey.checkName(name);
    this.name = name;
    this.privateKey = privateKey;
    this.publicKey = new CheckpointKey(name, Bytes.of(rawPublic));
  }

  /** A new random key. */
  public static CheckpointSigner generate(String name) {
    try {
      KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      return new CheckpointSigner(name, kp.getPrivate(), CheckpointKey.rawPublicKey(kp.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks Ed25519", e);
    }
  }

  /** A signer from a JDK key pair (e.g. loaded from a PKCS#8 file or a key store). */
  public static CheckpointSigner of(String name, KeyPair keyPair) {
    Objects.requireNonNull(keyPair, "keyPair");
    if (!"Ed25519".equalsIgnoreCase(keyPair.getPrivate().getAlgorithm())
        && !"EdDSA".equalsIgnoreCase(keyPair.getPrivate().getAlgorithm())) {
      throw new IllegalArgumentException("checkpoint keys are Ed25519");
    }
    return new CheckpointSigner(name, keyPair.getPrivate(), CheckpointKey.rawPublicKey(keyPair.getPublic()));
  }

  /** A signer from PKCS#8 private key bytes plus the raw public key. */
  public static CheckpointSigner fromPkcs8(String name, byte[] pkcs8, CheckpointKey publicKey) throws GeneralSecurityException {
    PrivateKey pk = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    return new CheckpointSigner(name, pk, publicKey.publicKey().toByteArray());
  }

  public String name() {
    return name;
  }

  /** The public half; hand its {@link CheckpointKey#vkey()} to verifiers. */
  public CheckpointKey publicKey() {
    return publicKey;
  }

  byte[] sign(byte[] message) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(privateKey);
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new AuditException("checkpoint signing failed", e);
    }
  }

  @Override
  public String toString() {
    return "CheckpointSigner[" + name + ", key=<redacted>]";
  }
}
