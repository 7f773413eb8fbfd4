package dev.bulwark.crypto.internal;

import dev.bulwark.crypto.DecryptionFailedException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The primitives under the format: AES-256-GCM (JCA, 96-bit IV, 128-bit tag) and the HKDF-SHA256
 * derivation of per-message keys and the key commitment. Thread-safe (per-thread JCA objects).
 */
public final class Primitives {
  public static final int KEY_BYTES = 32;
  public static final int IV_BYTES = 12;
  public static final int TAG_BYTES = 16;

  private static final byte[] KEY_LABEL = "bulwark-v1 content key".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] COMMIT_LABEL = "bulwark-v1 key commitment".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM/NoPadding is not available", e);
    }
  });
  private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  });
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  });

  private Primitives() {}

  /** Fresh random bytes. */
  public static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /** SHA-256. */
  public static byte[] sha256(byte[] in) {
    return SHA256.get().digest(in);
  }

  /** AES-GCM encryption of {@code in[off..off+len)} into {@code out} at {@code outOff}; returns bytes written. */
  public static int gcmEncrypt(byte[] key, byte[] iv, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff)
      throws GeneralSecurityException {
    Cipher c = GCM.get();
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    if (aad != null && aad.length > 0) {
      c.updateAAD(aad);
    }
    return c.doFinal(in, off, len, out, outOff);
  }

  /** AES-GCM encryption returning a new array (ciphertext ‖ tag). */
  public static byte[] gcmEncrypt(byte[] key, byte[] iv, byte[] aad, byte[] plaintext) throws GeneralSecurityException {
    byte[] out = new byte[plaintext.length + TAG_BYTES];
    gcmEncrypt(key, iv, aad, plaintext, 0, plaintext.length, out, 0);
    return out;
  }

  /**
   * AES-GCM decryption; any authentication failure becomes a {@link DecryptionFailedException}.
   * Releases nothing unless the tag verifies (JCA buffers until doFinal).
   */
  public static int gcmDecrypt(byte[] key, byte[] iv, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff)
      throws GeneralSecurityException {
    if (len < TAG_BYTES) {
      throw new DecryptionFailedException();
    }
    Cipher c = GCM.get();
    try {
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
      if (aad != null && aad.length > 0) {
        c.updateAAD(aad);
      }
      return c.doFinal(in, off, len, out, outOff);
    } catch (AEADBadTagException e) {
      // The JCA leaves a failed cipher in a state that needs re-init; drop it to be safe.
      GCM.remove();
      throw new DecryptionFailedException();
    }
  }

  /** AES-GCM decryption returning a new array. */
  public static byte[] gcmDecrypt(byte[] key, byte[] iv, byte[] aad, byte[] ct, int off, int len)
      throws GeneralSecurityException {
    if (len < TAG_BYTES) {
      throw new DecryptionFailedException();
    }
    byte[] out = new byte[len - TAG_BYTES];
    int n = gcmDecrypt(key, iv, aad, ct, off, len, out, 0);
    if (n != out.length) {
      throw new DecryptionFailedException();
    }
    return out;
  }

  /**
   * Derived per-message material. {@code key} (32 bytes) and {@code iv} (12 bytes) come from
   * HKDF-SHA256(ikm = DEK, salt = message salt, info = label ‖ suite ‖ info); the commitment is a
   * separate HKDF output with its own label and no context, so rewrap can check it without the
   * encryption context.
   */
  public static final class Derived {
    public final byte[] key;
    public final byte[] iv;

    Derived(byte[] key, byte[] iv) {
      this.key = key;
      this.iv = iv;
    }

    @Override
    public String toString() {
      return "Derived[redacted]";
    }
  }

  /** HKDF-Extract(salt, dek). */
  public static byte[] extract(byte[] dek, byte[] salt) throws GeneralSecurityException {
    Mac mac = HMAC.get();
    mac.init(new SecretKeySpec(salt, "HmacSHA256"));
    return mac.doFinal(dek);
  }

  /** The key commitment from an extracted PRK. */
  public static byte[] commitment(byte[] prk) throws GeneralSecurityException {
    Mac mac = HMAC.get();
    mac.init(new SecretKeySpec(prk, "HmacSHA256"));
    mac.update(COMMIT_LABEL);
    mac.update((byte) 1);
    return mac.doFinal();
  }

  /** Content key and IV from an extracted PRK (HKDF-Expand, 2 blocks). */
  public static Derived contentKey(byte[] prk, int suite, byte[] info) throws GeneralSecurityException {
    Mac mac = HMAC.get();
    mac.init(new SecretKeySpec(prk, "HmacSHA256"));
    mac.update(KEY_LABEL);
    mac.update((byte) suite);
    mac.update(info);
    mac.update((byte) 1);
    byte[] t1 = mac.doFinal();
    mac.update(t1);
    mac.update(KEY_LABEL);
    mac.update((byte) suite);
    mac.update(info);
    mac.update((byte) 2);
    byte[] t2 = mac.doFinal();
    byte[] iv = new byte[IV_BYTES];
    System.arraycopy(t2, 0, iv, 0, IV_BYTES);
    return new Derived(t1, iv);
  }

  /** Constant-time equality. */
  public static boolean equal(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }
}
