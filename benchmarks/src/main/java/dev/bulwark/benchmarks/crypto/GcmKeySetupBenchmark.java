package dev.bulwark.benchmarks.crypto;

import dev.bulwark.benchmarks.ComparedWith;
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
 * What the JDK's AES key schedule costs per message, which is why ciphertext format 3 keys every
 * message under a data key with one content key. One op = {@code Cipher.init} on one reused
 * AES/GCM {@link Cipher} with a fresh {@link SecretKeySpec} and a new nonce, then
 * {@code doFinal} of {@code size} bytes into a reused buffer:
 *
 * <ul>
 *   <li>{@link #sameKeyBytes}: every op uses the same key bytes, in a new {@code SecretKeySpec}
 *       (as the envelope does under a cached data key): JDK 17's {@code AESCrypt} sees equal bytes
 *       and keeps its expanded round keys.
 *   <li>{@link #alternatingKeys}: ops alternate between two keys, so every init expands the key
 *       again (as formats 1 and 2 did, with a derived key per message).
 * </ul>
 *
 * The ratio of the two is the key schedule's share of a message at that size.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GcmKeySetupBenchmark {

  @Param({"1024"})
  public int size;

  private final byte[][] keys = new byte[2][32];
  private final byte[] nonce = new byte[12];
  private Cipher cipher;
  private byte[] plaintext;
  private byte[] out;
  private long counter;

  @Setup
  public void setUp() throws GeneralSecurityException {
    SecureRandom random = SecureRandom.getInstance("DRBG",
        DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, null));
    random.nextBytes(keys[0]);
    random.nextBytes(keys[1]);
    random.nextBytes(nonce);
    cipher = Cipher.getInstance("AES/GCM/NoPadding");
    plaintext = new byte[size];
    random.nextBytes(plaintext);
    out = new byte[size + 16];
  }

  /** A nonce never used before on this Cipher (a counter in its last 8 bytes). */
  private GCMParameterSpec nextNonce() {
    long c = ++counter;
    for (int i = 0; i < 8; i++) {
      nonce[4 + i] = (byte) (c >>> (8 * i));
    }
    return new GCMParameterSpec(128, nonce);
  }

  private int encrypt(byte[] key) throws GeneralSecurityException {
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), nextNonce());
    return cipher.doFinal(plaintext, 0, plaintext.length, out, 0);
  }

  /** Init with the same key bytes every op, then encrypt {@code size} bytes. */
  @Benchmark
  public int sameKeyBytes() throws GeneralSecurityException {
    return encrypt(keys[0]);
  }

  /** Init with the other of two keys every op (a key schedule each time), then encrypt. */
  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.crypto.GcmKeySetupBenchmark.sameKeyBytes")
  public int alternatingKeys() throws GeneralSecurityException {
    return encrypt(keys[(int) (counter & 1)]);
  }
}
