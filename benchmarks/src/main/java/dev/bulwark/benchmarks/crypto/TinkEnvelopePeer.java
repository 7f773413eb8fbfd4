package dev.bulwark.benchmarks.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.KmsEnvelopeAead;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
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
 * Peer: Tink's {@code KmsEnvelopeAead} (AES-256-GCM DEK per message) with a local AES-256-GCM
 * {@code Aead} ({@code AesGcmJce}) standing in for the KMS KEK, so no network is measured. One op
 * = {@code encrypt} then {@code decrypt} of {@code size} bytes with 11 bytes of associated data:
 * a fresh DEK, wrapped and unwrapped by the KEK, per message (Tink has no data-key caching). No
 * key commitment, and the DEK is wrapped with empty associated data. Set-up first runs 50,000
 * round trips of 1 KiB (or 30 s), like {@code AesGcmBaseline}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TinkEnvelopePeer {

  @Param({"1024", "65536"})
  public int size;

  private Aead envelope;
  private byte[] plaintext;
  private final byte[] aad = "tenant=acme".getBytes(StandardCharsets.UTF_8);

  @Setup
  public void setUp() throws GeneralSecurityException {
    AeadConfig.register();
    SecureRandom random = new SecureRandom();
    byte[] kek = new byte[32];
    random.nextBytes(kek);
    envelope = KmsEnvelopeAead.create(PredefinedAeadParameters.AES256_GCM, new AesGcmJce(kek));
    // As AesGcmBaseline: compile the JDK's AES-GCM intrinsics on 1 KiB messages before JMH's
    // warm-up, which at 64 KiB is otherwise too short to finish that.
    plaintext = new byte[1024];
    long deadline = System.nanoTime() + 30_000_000_000L;
    for (int i = 0; i < 50_000 && System.nanoTime() < deadline; i++) {
      encryptDecrypt();
    }
    plaintext = new byte[size];
    random.nextBytes(plaintext);
  }

  /** Envelope encrypt then decrypt. */
  @Benchmark
  public byte[] encryptDecrypt() throws GeneralSecurityException {
    return envelope.decrypt(envelope.encrypt(plaintext, aad), aad);
  }
}
