package dev.bulwark.benchmarks.baseline;

import com.google.crypto.tink.subtle.AesGcmJce;
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
 * decryption of {@code size} bytes with a fresh random 96-bit nonce, no envelope, no key
 * management. Measured both through the JCA directly and through Tink's raw {@code AesGcmJce}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AesGcmBaseline {

  @Param({"1024", "65536", "1048576"})
  public int size;

  private final SecureRandom random = new SecureRandom();
  private SecretKeySpec key;
  private AesGcmJce tink;
  private byte[] plaintext;
  private final byte[] aad = "tenant=acme".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  @Setup
  public void setUp() throws GeneralSecurityException {
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    key = new SecretKeySpec(raw, "AES");
    tink = new AesGcmJce(raw);
    plaintext = new byte[size];
    random.nextBytes(plaintext);
  }

  /** Raw JCA AES-256-GCM encrypt then decrypt. */
  @Benchmark
  public byte[] jcaEncryptDecrypt() throws GeneralSecurityException {
    byte[] nonce = new byte[12];
    random.nextBytes(nonce);
    Cipher enc = Cipher.getInstance("AES/GCM/NoPadding");
    enc.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
    enc.updateAAD(aad);
    byte[] ct = enc.doFinal(plaintext);
    Cipher dec = Cipher.getInstance("AES/GCM/NoPadding");
    dec.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, nonce));
    dec.updateAAD(aad);
    return dec.doFinal(ct);
  }

  /** Tink's raw AES-256-GCM primitive (nonce generated and prefixed by Tink). */
  @Benchmark
  public byte[] tinkEncryptDecrypt() throws GeneralSecurityException {
    return tink.decrypt(tink.encrypt(plaintext, aad), aad);
  }
}
