package dev.bulwark.audit;

import dev.bulwark.audit.internal.Hashes;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
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

  /** A {@link Tagger} for this key, for a caller that keeps one per thread. */
  Tagger newTagger() {
    return new Tagger(key);
  }

  /**
   * Computes exactly the tags {@link #tag(Mac, byte[])} computes, in two SHA-256 compressions
   * instead of four: HMAC's inner hash always starts with the block {@code K ^ ipad} followed by
   * the constant {@code "bulwark-audit-mac-v1\0"}, and the outer one with {@code K ^ opad}, so a
   * digest already fed with each is kept and cloned per tag (RFC 2104 allows precomputing these
   * intermediate states). Falls back to a {@link Mac} where the JDK's SHA-256 cannot be cloned.
   *
   * <p>Security considerations: the two digests hold key-derived state, exactly as an
   * initialised {@code Mac} does; the pads are wiped after use. Not thread-safe.
   */
  static final class Tagger {
    private static final int BLOCK = 64;
    private final MessageDigest inner;
    private final MessageDigest outer;
    private final Mac fallback;
    private final byte[] innerHash = new byte[32];

    Tagger(byte[] key) {
      byte[] k = key.length > BLOCK ? Hashes.newSha256().digest(key) : key;
      byte[] ipad = new byte[BLOCK];
      byte[] opad = new byte[BLOCK];
      for (int i = 0; i < BLOCK; i++) {
        byte b = i < k.length ? k[i] : 0;
        ipad[i] = (byte) (b ^ 0x36);
        opad[i] = (byte) (b ^ 0x5c);
      }
      MessageDigest in = Hashes.newSha256();
      MessageDigest out = Hashes.newSha256();
      in.update(ipad);
      in.update(TAG);
      out.update(opad);
      Arrays.fill(ipad, (byte) 0);
      Arrays.fill(opad, (byte) 0);
      if (k != key) {
        Arrays.fill(k, (byte) 0);
      }
      Mac mac = null;
      try {
        in.clone();
      } catch (CloneNotSupportedException e) {
        in.reset();
        out.reset();
        in = null;
        out = null;
        mac = new ChainKey(key).newMac();
      }
      this.inner = in;
      this.outer = out;
      this.fallback = mac;
    }

    /** The tag of {@code chain[off, off + 32)} written into {@code out} at {@code outOff}. */
    void tag(byte[] chain, int off, byte[] out, int outOff) {
      if (fallback != null) {
        ChainKey.tag(fallback, chain, off, out, outOff);
        return;
      }
      try {
        MessageDigest in = (MessageDigest) inner.clone();
        in.update(chain, off, 32);
        in.digest(innerHash, 0, 32);
        MessageDigest o = (MessageDigest) outer.clone();
        o.update(innerHash, 0, 32);
        o.digest(out, outOff, 32);
      } catch (CloneNotSupportedException | DigestException e) {
        throw new IllegalStateException("SHA-256 digest state could not be copied", e);
      }
    }

    /** The tag of {@code chain} (32 bytes) as a new array. */
    byte[] tag(byte[] chain) {
      byte[] out = new byte[32];
      tag(chain, 0, out, 0);
      return out;
    }
  }

  @Override
  public String toString() {
    return "ChainKey[<redacted>]";
  }
}
