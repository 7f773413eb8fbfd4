package dev.bulwark.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 key of a keyed chain: every event then carries
 * {@code HMAC(key, "bulwark-audit-mac-v1\0" || chainHash)}. An attacker who can write the store but
 * does not hold this key cannot recompute the tags of a forged or edited event.
 *
 * <p>Security considerations: hold the key outside the store (a KMS, a key file the database
 * role cannot read); the verifier needs it too (HMAC gives no public verifiability; use signed
 * checkpoints for that). No equals/hashCode; {@link #toString()} is redacted. Thread-safe.
 */
public final class ChainKey {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] TAG = "bulwark-audit-mac-v1\0".getBytes(StandardCharsets.US_ASCII);
  private final byte[] key;
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  private ChainKey(byte[] key) {
    if (key.length < 32) {
      throw new IllegalArgumentException("chain keys are at least 32 bytes");
    }
    this.key = key.clone();
  }

  /** A key from raw bytes (at least 32). The array is copied. */
  public static ChainKey of(byte[] key) {
    return new ChainKey(key);
  }

  /** A new random 32-byte key. */
  public static ChainKey generate() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return new ChainKey(k);
  }

  /** The raw key, for the host to store in its secret store. */
  public byte[] toByteArray() {
    return key.clone();
  }

  /** A Mac initialised with this key, for a caller that keeps one per thread. */
  Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HmacSHA256", e);
    }
  }

  byte[] tag(byte[] chainHash) {
    return tag(macs.get(), chainHash);
  }

  /** The tag of {@code chainHash} computed with {@code mac} (from {@link #newMac()}). */
  static byte[] tag(Mac mac, byte[] chainHash) {
    mac.update(TAG);
    return mac.doFinal(chainHash);
  }

  /** The tag of {@code chain[off, off + 32)} written into {@code out} at {@code outOff}. */
  static void tag(Mac mac, byte[] chain, int off, byte[] out, int outOff) {
    mac.update(TAG);
    mac.update(chain, off, 32);
    try {
      mac.doFinal(out, outOff);
    } catch (javax.crypto.ShortBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "ChainKey[<redacted>]";
  }
}
