package dev.bulwark.crypto.internal;

import dev.bulwark.crypto.DecryptionFailedException;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.DrbgParameters;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The primitives under the formats: AES-256-GCM (JCA, 96-bit IV, 128-bit tag) and the HKDF-SHA256
 * derivations of content keys and key commitments (format 3: once per data key, {@link #deriveV3};
 * format 2: per message or stream, {@link DekKdf}; format 1: {@link #deriveV1}). Thread-safe: every
 * JCA object is per thread.
 *
 * <p>Why the JCA objects are arranged as they are (each saves work on every message):
 *
 * <ul>
 *   <li>Two AES-GCM {@link Cipher}s per thread, one for message keys and one for key wrapping. The
 *       JDK's AES ({@code com.sun.crypto.provider.AESCrypt} in JDK 17) keeps the key it was last
 *       initialised with and skips the key schedule (encryption and decryption round keys) when the
 *       next key has equal bytes. So messages under one cached data key's content key, encrypted or
 *       decrypted on one thread, pay for the key schedule once, like a raw AES-GCM loop under a
 *       fixed key; a thread alternating between data keys re-expands on each switch (correct, only
 *       slower). A KEK that shared a {@code Cipher} with content keys would be re-expanded on every
 *       wrap and unwrap. JDK 17's GCM refuses to encrypt twice with the same key and IV on one
 *       {@code Cipher}; with random nonces that would take a 2^-96 coincidence, and it fails closed.
 *   <li>Randomness from a per-thread SHA-256 Hash_DRBG seeded by the JDK's entropy source, so
 *       threads never queue on one lock, drawn 1 KiB at a time into a per-thread buffer: the
 *       DRBG's fixed cost per call is several times the cost of 12 or 32 bytes. Bytes are cleared
 *       from the buffer as they are handed out, so the buffer never holds a key that is in use or
 *       was used; it holds only bytes no one has seen yet, which the DRBG state beside it could
 *       produce anyway.
 *   <li>HKDF-SHA256 (RFC 5869) computed on SHA-256 {@link MessageDigest}s following RFC 2104,
 *       rather than with {@code javax.crypto.Mac}: the JDK's {@code Mac} re-hashes the inner pad
 *       after every {@code doFinal} and cannot share pad states, which costs extra SHA-256
 *       compressions and key set-ups. Format 3 forks the DEK's pad states between its two Expand
 *       calls; format 2 ({@link DekKdf}) hashes the pads once per data key; format 1
 *       ({@link #deriveV1}) shares the PRK's pads between its two Expand calls.
 *       {@code PrimitivesTest} checks all three against RFC 5869's vectors or {@code Mac}.
 * </ul>
 */
public final class Primitives {
  public static final int KEY_BYTES = 32;
  public static final int IV_BYTES = 12;
  public static final int TAG_BYTES = 16;

  private static final int HASH_BYTES = 32;
  private static final int BLOCK_BYTES = 64;
  private static final byte IPAD = 0x36;
  private static final byte OPAD = 0x5c;
  private static final byte[] KEY_LABEL = "bulwark-v1 content key".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] COMMIT_LABEL = "bulwark-v1 key commitment".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] KEY_LABEL_V3 = "bulwark-v3 key".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] COMMIT_LABEL_V3 = "bulwark-v3 commit".getBytes(StandardCharsets.US_ASCII);

  private static SecureRandom newDrbg() {
    try {
      return SecureRandom.getInstance("DRBG",
          DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, null));
    } catch (GeneralSecurityException e) {
      return new SecureRandom();
    }
  }

  private static Cipher newGcm() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM/NoPadding is not available", e);
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static final ThreadLocal<RandomBuffer> RANDOM = ThreadLocal.withInitial(RandomBuffer::new);
  private static final ThreadLocal<Cipher> MESSAGE_GCM = ThreadLocal.withInitial(Primitives::newGcm);
  private static final ThreadLocal<Cipher> WRAP_GCM = ThreadLocal.withInitial(Primitives::newGcm);
  private static final ThreadLocal<Hkdf> HKDF = ThreadLocal.withInitial(Hkdf::new);
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Primitives::newSha256);

  private Primitives() {}

  /** Fresh random bytes (keys, nonces, salts). */
  public static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.get().next(b, 0, n);
    return b;
  }

  /** Fills {@code out[off..off+len)} with fresh random bytes. */
  public static void random(byte[] out, int off, int len) {
    RANDOM.get().next(out, off, len);
  }

  /** A per-thread buffer of DRBG output; see the class comment. */
  private static final class RandomBuffer {
    private final SecureRandom drbg = newDrbg();
    private final byte[] buffer = new byte[1024];
    private int pos = buffer.length;

    void next(byte[] out, int off, int len) {
      while (len > 0) {
        if (pos == buffer.length) {
          drbg.nextBytes(buffer);
          pos = 0;
        }
        int n = Math.min(len, buffer.length - pos);
        System.arraycopy(buffer, pos, out, off, n);
        Arrays.fill(buffer, pos, pos + n, (byte) 0);
        pos += n;
        off += n;
        len -= n;
      }
    }
  }

  /** SHA-256. */
  public static byte[] sha256(byte[] in) {
    return SHA256.get().digest(in);
  }

  /** AES-GCM encryption of {@code in[off..off+len)} into {@code out} at {@code outOff}; returns bytes written. */
  public static int gcmEncrypt(byte[] key, byte[] iv, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff)
      throws GeneralSecurityException {
    return encrypt(MESSAGE_GCM.get(), new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, iv), aad,
        in, off, len, out, outOff);
  }

  /**
   * AES-GCM encryption of {@code in[off..off+len)} into {@code out} at {@code outOff} under the IV
   * {@code iv[ivOff..ivOff+12)} (which may lie inside {@code out}: it is copied before anything is
   * written); returns bytes written.
   */
  public static int gcmEncrypt(byte[] key, byte[] iv, int ivOff, byte[] aad, byte[] in, int off, int len, byte[] out,
      int outOff) throws GeneralSecurityException {
    return encrypt(MESSAGE_GCM.get(), new SecretKeySpec(key, "AES"),
        new GCMParameterSpec(TAG_BYTES * 8, iv, ivOff, IV_BYTES), aad, in, off, len, out, outOff);
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
    return decrypt(MESSAGE_GCM, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, iv), aad, in, off,
        len, out, outOff);
  }

  /**
   * AES-GCM decryption of {@code ct[off..off+len)} (ciphertext ‖ tag) into a new array under the IV
   * {@code iv[ivOff..ivOff+12)}; any authentication failure becomes a
   * {@link DecryptionFailedException}.
   */
  public static byte[] gcmDecrypt(byte[] key, byte[] iv, int ivOff, byte[] aad, byte[] ct, int off, int len)
      throws GeneralSecurityException {
    if (len < TAG_BYTES) {
      throw new DecryptionFailedException();
    }
    byte[] out = new byte[len - TAG_BYTES];
    int n = decrypt(MESSAGE_GCM, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, iv, ivOff, IV_BYTES),
        aad, ct, off, len, out, 0);
    if (n != out.length) {
      throw new DecryptionFailedException();
    }
    return out;
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
   * Wraps {@code dataKey} under a long-lived key-encryption key: a fresh random IV ‖ ciphertext ‖
   * tag, on the thread's key-wrapping cipher (which keeps the KEK's key schedule between calls).
   */
  public static byte[] wrap(SecretKeySpec kek, byte[] dataKey, byte[] aad) throws GeneralSecurityException {
    byte[] out = new byte[IV_BYTES + dataKey.length + TAG_BYTES];
    byte[] iv = new byte[IV_BYTES];
    random(iv, 0, IV_BYTES);
    System.arraycopy(iv, 0, out, 0, IV_BYTES);
    encrypt(WRAP_GCM.get(), kek, new GCMParameterSpec(TAG_BYTES * 8, iv), aad, dataKey, 0, dataKey.length, out,
        IV_BYTES);
    return out;
  }

  /** Reverses {@link #wrap}. */
  public static byte[] unwrap(SecretKeySpec kek, byte[] wrapped, byte[] aad) throws GeneralSecurityException {
    if (wrapped.length < IV_BYTES + TAG_BYTES) {
      throw new DecryptionFailedException();
    }
    byte[] out = new byte[wrapped.length - IV_BYTES - TAG_BYTES];
    int n = decrypt(WRAP_GCM, kek, new GCMParameterSpec(TAG_BYTES * 8, wrapped, 0, IV_BYTES), aad, wrapped, IV_BYTES,
        wrapped.length - IV_BYTES, out, 0);
    if (n != out.length) {
      throw new DecryptionFailedException();
    }
    return out;
  }

  private static int encrypt(Cipher c, SecretKeySpec key, GCMParameterSpec iv, byte[] aad, byte[] in, int off,
      int len, byte[] out, int outOff) throws GeneralSecurityException {
    c.init(Cipher.ENCRYPT_MODE, key, iv);
    if (aad != null && aad.length > 0) {
      c.updateAAD(aad);
    }
    return c.doFinal(in, off, len, out, outOff);
  }

  private static int decrypt(ThreadLocal<Cipher> slot, SecretKeySpec key, GCMParameterSpec iv, byte[] aad, byte[] in,
      int off, int len, byte[] out, int outOff) throws GeneralSecurityException {
    if (len < TAG_BYTES) {
      throw new DecryptionFailedException();
    }
    Cipher c = slot.get();
    try {
      c.init(Cipher.DECRYPT_MODE, key, iv);
      if (aad != null && aad.length > 0) {
        c.updateAAD(aad);
      }
      return c.doFinal(in, off, len, out, outOff);
    } catch (AEADBadTagException e) {
      // The JCA leaves a failed cipher in a state that needs re-init; drop it to be safe.
      slot.remove();
      throw new DecryptionFailedException();
    }
  }

  /**
   * Derived per-message material: a content key unique to the message and a commitment to the data
   * key (see {@link DekKdf} for format 2 and {@link #deriveV1} for format 1). The commitment uses
   * no context, so rewrap can check it without the encryption context. {@code iv} is all zero: the
   * key is unique per message (a unique salt under each data key), so a fixed IV is safe, and an IV
   * derived from the same inputs would add nothing.
   */
  public static final class Derived {
    public final byte[] key;
    public final byte[] iv;
    public final byte[] commitment;

    Derived(byte[] key, byte[] commitment) {
      this.key = key;
      this.iv = new byte[IV_BYTES];
      this.commitment = commitment;
    }

    @Override
    public String toString() {
      return "Derived[redacted]";
    }
  }

  /** Format 1: derives the commitment and the content key of one message. */
  public static Derived deriveV1(byte[] dek, byte[] salt, int suite, byte[] info) throws GeneralSecurityException {
    byte[] key = new byte[HASH_BYTES];
    byte[] commitment = new byte[HASH_BYTES];
    HKDF.get().derive(dek, salt, suite, info, key, commitment);
    return new Derived(key, commitment);
  }

  /** Format 1: only the commitment (rewrap). */
  public static byte[] commitmentV1(byte[] dek, byte[] salt) throws GeneralSecurityException {
    byte[] commitment = new byte[HASH_BYTES];
    HKDF.get().derive(dek, salt, -1, null, null, commitment);
    return commitment;
  }

  /**
   * Format 2 key derivation for one data key: HKDF-SHA256 Expand (RFC 5869 §2.3) with the DEK
   * itself as the pseudorandom key. A DEK is 32 uniformly random bytes, so the Extract step is not
   * needed (RFC 5869 §3.3), and keying HMAC with the DEK (format 1 keyed it with the per-message
   * salt) lets the HMAC pad states be hashed once per DEK instead of once per message:
   *
   * <pre>
   *   commitment = HMAC-SHA256(DEK, "bulwark-v2 commit" ‖ salt ‖ 0x01)
   *   key        = HMAC-SHA256(DEK, "bulwark-v2 key" ‖ suite ‖ salt ‖ info ‖ 0x01)
   * </pre>
   *
   * Labels, salt (32 bytes), suite (1 byte) and info (fixed length per suite) have fixed lengths,
   * so the inputs are unambiguous. Thread-safe once built: the pad states are only ever cloned.
   */
  public static final class DekKdf {
    private static final byte[] COMMIT_LABEL_V2 = "bulwark-v2 commit".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_LABEL_V2 = "bulwark-v2 key".getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest inner;
    private final MessageDigest outer;

    private DekKdf(byte[] dek) {
      if (dek.length != KEY_BYTES) {
        throw new IllegalArgumentException("a data key is 32 bytes");
      }
      byte[] pad = new byte[BLOCK_BYTES];
      try {
        for (int i = 0; i < BLOCK_BYTES; i++) {
          pad[i] = (byte) ((i < dek.length ? dek[i] : 0) ^ IPAD);
        }
        // clones of the thread's digest: cheaper than two provider look-ups per data key
        inner = copy(SHA256.get());
        inner.reset();
        inner.update(pad);
        for (int i = 0; i < BLOCK_BYTES; i++) {
          pad[i] ^= IPAD ^ OPAD;
        }
        outer = copy(SHA256.get());
        outer.reset();
        outer.update(pad);
      } finally {
        Arrays.fill(pad, (byte) 0);
      }
    }

    /** HMAC(DEK, message) into {@code out}. */
    private void hmac(byte[] message, byte[] out) throws GeneralSecurityException {
      byte[] innerHash = new byte[HASH_BYTES];
      try {
        MessageDigest a = copy(inner);
        a.update(message);
        a.digest(innerHash, 0, HASH_BYTES);
        MessageDigest b = copy(outer);
        b.update(innerHash);
        b.digest(out, 0, HASH_BYTES);
      } finally {
        Arrays.fill(innerHash, (byte) 0);
      }
    }

    private static MessageDigest copy(MessageDigest state) {
      try {
        return (MessageDigest) state.clone();
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("the SHA-256 implementation cannot be cloned", e);
      }
    }

    /** The commitment of a message with this salt. */
    public byte[] commitment(byte[] salt) throws GeneralSecurityException {
      byte[] m = new byte[COMMIT_LABEL_V2.length + salt.length + 1];
      System.arraycopy(COMMIT_LABEL_V2, 0, m, 0, COMMIT_LABEL_V2.length);
      System.arraycopy(salt, 0, m, COMMIT_LABEL_V2.length, salt.length);
      m[m.length - 1] = 1;
      byte[] out = new byte[HASH_BYTES];
      hmac(m, out);
      return out;
    }

    /** The commitment and content key of a message with this salt, suite and info. */
    public Derived derive(byte[] salt, int suite, byte[] info) throws GeneralSecurityException {
      byte[] m = new byte[KEY_LABEL_V2.length + 1 + salt.length + info.length + 1];
      System.arraycopy(KEY_LABEL_V2, 0, m, 0, KEY_LABEL_V2.length);
      m[KEY_LABEL_V2.length] = (byte) suite;
      System.arraycopy(salt, 0, m, KEY_LABEL_V2.length + 1, salt.length);
      System.arraycopy(info, 0, m, KEY_LABEL_V2.length + 1 + salt.length, info.length);
      m[m.length - 1] = 1;
      byte[] key = new byte[HASH_BYTES];
      hmac(m, key);
      return new Derived(key, commitment(salt));
    }

    /** Resets the pad states, which are as secret as the DEK (for data keys used once). */
    public void destroy() {
      inner.reset();
      outer.reset();
    }

    @Override
    public String toString() {
      return "DekKdf[redacted]";
    }
  }

  /**
   * Format 3 keys of one data key, derived once per data key with HKDF-SHA256 Expand (RFC 5869
   * §2.3, the DEK as the pseudorandom key, one 32-byte output block each):
   *
   * <pre>
   *   content key = HMAC-SHA256(DEK, "bulwark-v3 key" ‖ suite ‖ 0x01)
   *   commitment  = HMAC-SHA256(DEK, "bulwark-v3 commit" ‖ 0x01)
   * </pre>
   *
   * Every message under the data key is encrypted with the content key and a fresh random 96-bit
   * nonce; the DEK itself never keys AES or HMAC over a payload. Immutable apart from
   * {@link #destroy}.
   */
  public static final class ContentKey {
    public final byte[] key;
    public final byte[] commitment;

    ContentKey(byte[] key, byte[] commitment) {
      this.key = key;
      this.commitment = commitment;
    }

    /** Wipes the content key (for data keys used once). */
    public void destroy() {
      Arrays.fill(key, (byte) 0);
    }

    @Override
    public String toString() {
      return "ContentKey[redacted]";
    }
  }

  /** Format 3: the content key and commitment of {@code dek} for {@code suite}. */
  public static ContentKey deriveV3(byte[] dek, int suite) throws GeneralSecurityException {
    if (dek.length != KEY_BYTES) {
      throw new IllegalArgumentException("a data key is 32 bytes");
    }
    byte[] key = new byte[HASH_BYTES];
    byte[] commitment = new byte[HASH_BYTES];
    HKDF.get().deriveV3(dek, suite, key, commitment);
    return new ContentKey(key, commitment);
  }

  /** The format 2 key derivation of {@code dek} (hashes its two HMAC pad blocks). */
  public static DekKdf dekKdf(byte[] dek) {
    return new DekKdf(dek);
  }

  /** HKDF-SHA256 Extract (RFC 5869 §2.2); for tests. */
  public static byte[] hkdfExtract(byte[] salt, byte[] ikm) throws GeneralSecurityException {
    byte[] prk = new byte[HASH_BYTES];
    HKDF.get().hmac(salt, ikm, prk);
    return prk;
  }

  /** HMAC-SHA256 (RFC 2104); for tests. */
  public static byte[] hmacSha256(byte[] key, byte[] message) throws GeneralSecurityException {
    byte[] out = new byte[HASH_BYTES];
    HKDF.get().hmac(key, message, out);
    return out;
  }

  /**
   * Per-thread HKDF-SHA256 state. Every secret intermediate (pads, inner hashes, PRK) is cleared
   * before a call returns.
   */
  private static final class Hkdf {
    private final MessageDigest md = newSha256();
    private final byte[] pad = new byte[BLOCK_BYTES];
    private final byte[] prk = new byte[HASH_BYTES];
    private final byte[] innerCommit = new byte[HASH_BYTES];
    private final byte[] innerKey = new byte[HASH_BYTES];

    private void setPad(byte[] key, byte xor) {
      if (key.length > BLOCK_BYTES) {
        throw new IllegalArgumentException("HMAC keys here are at most one block");
      }
      for (int i = 0; i < key.length; i++) {
        pad[i] = (byte) (key[i] ^ xor);
      }
      Arrays.fill(pad, key.length, BLOCK_BYTES, xor);
    }

    private void flipPad() {
      for (int i = 0; i < BLOCK_BYTES; i++) {
        pad[i] ^= IPAD ^ OPAD;
      }
    }

    private void clear() {
      Arrays.fill(pad, (byte) 0);
      Arrays.fill(prk, (byte) 0);
      Arrays.fill(innerCommit, (byte) 0);
      Arrays.fill(innerKey, (byte) 0);
      md.reset();
    }

    /** {@code out} = HMAC-SHA256(key, message). */
    void hmac(byte[] key, byte[] message, byte[] out) throws GeneralSecurityException {
      try {
        setPad(key.length > BLOCK_BYTES ? md.digest(key) : key, IPAD);
        md.update(pad);
        md.update(message);
        md.digest(innerKey, 0, HASH_BYTES);
        flipPad();
        md.update(pad);
        md.update(innerKey);
        md.digest(out, 0, HASH_BYTES);
      } finally {
        clear();
      }
    }

    /**
     * PRK = HMAC(salt, dek); commitment = HMAC(PRK, commit label ‖ 1); and, unless {@code keyOut}
     * is null, key = HMAC(PRK, key label ‖ suite ‖ info ‖ 1). The PRK's inner and outer pad states
     * are hashed once and forked for the two Expand calls.
     */
    void derive(byte[] dek, byte[] salt, int suite, byte[] info, byte[] keyOut, byte[] commitOut)
        throws GeneralSecurityException {
      try {
        // HKDF-Extract
        setPad(salt, IPAD);
        md.update(pad);
        md.update(dek);
        md.digest(innerKey, 0, HASH_BYTES);
        flipPad();
        md.update(pad);
        md.update(innerKey);
        md.digest(prk, 0, HASH_BYTES);
        // HKDF-Expand, first block, for the commitment and (forked after the inner pad) the key
        setPad(prk, IPAD);
        md.update(pad);
        MessageDigest forked = keyOut == null ? null : fork(md);
        md.update(COMMIT_LABEL);
        md.update((byte) 1);
        md.digest(innerCommit, 0, HASH_BYTES);
        if (forked != null) {
          forked.update(KEY_LABEL);
          forked.update((byte) suite);
          forked.update(info);
          forked.update((byte) 1);
          forked.digest(innerKey, 0, HASH_BYTES);
        }
        flipPad();
        md.update(pad);
        forked = keyOut == null ? null : fork(md);
        md.update(innerCommit);
        md.digest(commitOut, 0, HASH_BYTES);
        if (forked != null) {
          forked.update(innerKey);
          forked.digest(keyOut, 0, HASH_BYTES);
        }
      } catch (DigestException e) {
        throw new IllegalStateException("SHA-256 output buffer", e);
      } finally {
        clear();
      }
    }

    /**
     * Format 3: commitment = HMAC(DEK, commit label ‖ 1) and key = HMAC(DEK, key label ‖ suite ‖ 1),
     * sharing the DEK's inner and outer pad states (forked after each pad block).
     */
    void deriveV3(byte[] dek, int suite, byte[] keyOut, byte[] commitOut) throws GeneralSecurityException {
      try {
        setPad(dek, IPAD);
        md.update(pad);
        MessageDigest forked = fork(md);
        md.update(COMMIT_LABEL_V3);
        md.update((byte) 1);
        md.digest(innerCommit, 0, HASH_BYTES);
        forked.update(KEY_LABEL_V3);
        forked.update((byte) suite);
        forked.update((byte) 1);
        forked.digest(innerKey, 0, HASH_BYTES);
        flipPad();
        md.update(pad);
        forked = fork(md);
        md.update(innerCommit);
        md.digest(commitOut, 0, HASH_BYTES);
        forked.update(innerKey);
        forked.digest(keyOut, 0, HASH_BYTES);
      } catch (DigestException e) {
        throw new IllegalStateException("SHA-256 output buffer", e);
      } finally {
        clear();
      }
    }

    private MessageDigest fork(MessageDigest state) throws DigestException {
      try {
        return (MessageDigest) state.clone();
      } catch (CloneNotSupportedException e) {
        // A provider whose SHA-256 cannot be cloned: replay the pad into a fresh digest instead.
        MessageDigest copy = newSha256();
        copy.update(pad);
        return copy;
      }
    }
  }

  /** Constant-time equality. */
  public static boolean equal(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }
}
