package dev.bulwark.benchmarks.baseline;

import com.google.crypto.tink.subtle.AesGcmJce;
import java.nio.charset.StandardCharsets;
import java.security.DrbgParameters;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor every encryption benchmark is compared with: one AES-256-GCM encryption and one
 * decryption of {@code size} bytes under one fixed key with a fresh random 96-bit nonce and a short
 * associated data, with no envelope and no key management. One op = encrypt + decrypt.
 *
 * <p>Three ways of calling it, each as fast as its API reasonably allows; compare an envelope with
 * the fastest:
 *
 * <ul>
 *   <li>{@link #jcaEncryptDecrypt}: the JCA directly, with everything that can be reused set up
 *       once per benchmark thread (this state is {@link Scope#Thread}): one encrypting and one
 *       decrypting {@link Cipher}, one {@link SecretKeySpec}, and nonces taken from a 1 KiB buffer
 *       refilled from an unshared DRBG (the way Bulwark draws its randomness; one
 *       {@code nextBytes} call per 12-byte nonce costs several times more). Ciphertext and
 *       plaintext come back as new arrays of exactly the right size, filled by
 *       {@code doFinal(in, off, len, out, outOff)} (measured faster on JDK 17 than
 *       {@code doFinal(byte[])}, which buffers internally): the same contract as
 *       {@code Envelope.encrypt/decrypt} and Tink's {@code Aead}.
 *   <li>{@link #jcaEncryptDecryptReusedBuffers}: the same, but writing into two output buffers
 *       allocated once, so an op allocates nothing. No byte-array API can do this (it must hand
 *       back a new array); at 64 KiB and more the difference is mostly the cost of allocating and
 *       zeroing the outputs.
 *   <li>{@link #tinkEncryptDecrypt}: Tink's raw {@code AesGcmJce} (Tink draws and prefixes the
 *       nonce and keeps a thread-local {@code Cipher}; it allocates its outputs).
 * </ul>
 *
 * <p>Set-up first runs 50,000 round trips of 1 KiB through each of the three (or 30 s), so that
 * the JDK's AES-GCM intrinsics are compiled before JMH's own warm-up: at 1 MiB, a few seconds of
 * warm-up otherwise measure a half-interpreted baseline.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AesGcmBaseline {

  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int WARM_UP_ROUND_TRIPS = 50_000;

  @Param({"1024", "65536", "1048576"})
  public int size;

  private final byte[] aad = "tenant=acme".getBytes(StandardCharsets.UTF_8);
  private SecureRandom random;
  private SecretKeySpec key;
  private Cipher encrypter;
  private Cipher decrypter;
  private byte[] nonce;
  private final byte[] nonces = new byte[1024];
  private int noncePos = nonces.length;
  private byte[] plaintext;
  private byte[] ciphertext;
  private byte[] decrypted;
  private AesGcmJce tink;

  @Setup
  public void setUp() throws GeneralSecurityException {
    random = SecureRandom.getInstance("DRBG",
        DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, null));
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    key = new SecretKeySpec(raw, "AES");
    encrypter = Cipher.getInstance("AES/GCM/NoPadding");
    decrypter = Cipher.getInstance("AES/GCM/NoPadding");
    nonce = new byte[NONCE_BYTES];
    tink = new AesGcmJce(raw);
    // JDK 17 compiles its AES-GCM intrinsics only after many calls. At 1 MiB an op makes so few
    // calls that a short JMH warm-up (3 x 1 s) measured these baselines still partly interpreted
    // (10-30 ops/s instead of about 1,300 after 15 s). Warm the same Ciphers and Tink primitive up
    // on 1 KiB messages first, as a long-running service would be.
    allocate(1024);
    long deadline = System.nanoTime() + 30_000_000_000L;
    for (int i = 0; i < WARM_UP_ROUND_TRIPS && System.nanoTime() < deadline; i++) {
      jcaEncryptDecrypt();
      jcaEncryptDecryptReusedBuffers();
      tinkEncryptDecrypt();
    }
    allocate(size);
  }

  private void allocate(int bytes) {
    plaintext = new byte[bytes];
    random.nextBytes(plaintext);
    ciphertext = new byte[bytes + TAG_BITS / 8];
    decrypted = new byte[bytes];
  }

  private GCMParameterSpec nextNonce() {
    if (noncePos + NONCE_BYTES > nonces.length) {
      random.nextBytes(nonces);
      noncePos = 0;
    }
    System.arraycopy(nonces, noncePos, nonce, 0, NONCE_BYTES);
    noncePos += NONCE_BYTES;
    return new GCMParameterSpec(TAG_BITS, nonce);
  }

  /**
   * Raw JCA AES-256-GCM: encrypt {@code size} bytes under a fresh random nonce into a new array,
   * then decrypt and verify them into another new array, which is returned.
   */
  @Benchmark
  public byte[] jcaEncryptDecrypt() throws GeneralSecurityException {
    GCMParameterSpec spec = nextNonce();
    encrypter.init(Cipher.ENCRYPT_MODE, key, spec);
    encrypter.updateAAD(aad);
    byte[] ct = new byte[plaintext.length + TAG_BITS / 8];
    int n = encrypter.doFinal(plaintext, 0, plaintext.length, ct, 0);
    decrypter.init(Cipher.DECRYPT_MODE, key, spec);
    decrypter.updateAAD(aad);
    byte[] pt = new byte[n - TAG_BITS / 8];
    decrypter.doFinal(ct, 0, n, pt, 0);
    return pt;
  }

  /**
   * Raw JCA AES-256-GCM into reused buffers: as {@link #jcaEncryptDecrypt}, but the ciphertext and
   * the decrypted plaintext are written into arrays allocated once in set-up.
   */
  @Benchmark
  public byte[] jcaEncryptDecryptReusedBuffers() throws GeneralSecurityException {
    GCMParameterSpec spec = nextNonce();
    encrypter.init(Cipher.ENCRYPT_MODE, key, spec);
    encrypter.updateAAD(aad);
    int n = encrypter.doFinal(plaintext, 0, plaintext.length, ciphertext, 0);
    decrypter.init(Cipher.DECRYPT_MODE, key, spec);
    decrypter.updateAAD(aad);
    decrypter.doFinal(ciphertext, 0, n, decrypted, 0);
    return decrypted;
  }

  /** Tink's raw AES-256-GCM primitive: {@code decrypt(encrypt(plaintext, aad), aad)}. */
  @Benchmark
  public byte[] tinkEncryptDecrypt() throws GeneralSecurityException {
    return tink.decrypt(tink.encrypt(plaintext, aad), aad);
  }
}
