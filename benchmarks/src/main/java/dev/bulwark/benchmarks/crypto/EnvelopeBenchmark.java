package dev.bulwark.benchmarks.crypto;

import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.crypto.DataKeyCachePolicy;
import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.KeyringStores;
import dev.bulwark.crypto.Keyrings;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
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
 * Bulwark envelope encrypt + decrypt round trip with a local KEK, key commitment and a one-pair
 * encryption context: with a fresh data key per message (two KEK calls per round trip), and with
 * data-key caching (per-message HKDF keys from a cached DEK; 2^20 messages or 5 minutes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EnvelopeBenchmark {

  @Param({"1024", "65536"})
  public int size;

  private final EncryptionContext context = EncryptionContext.of("tenant", "acme");
  private Envelope fresh;
  private Envelope cached;
  private byte[] plaintext;

  @Setup
  public void setUp() throws GeneralSecurityException {
    SecureRandom random = new SecureRandom();
    byte[] master = new byte[32];
    random.nextBytes(master);
    Keyrings keyrings = Keyrings.builder(KeyringStores.inMemory(), KekProviders.local(KekProviders.masterKey(master)))
        .build();
    fresh = Envelope.builder(keyrings).build();
    cached = Envelope.builder(keyrings)
        .dataKeyCache(new DataKeyCachePolicy(1 << 20, 1L << 36, Duration.ofMinutes(5))).build();
    plaintext = new byte[size];
    random.nextBytes(plaintext);
  }

  /** A fresh DEK per message: KEK wrap on encrypt, KEK unwrap on decrypt. */
  @Benchmark
  @ComparedWith({
      "dev.bulwark.benchmarks.baseline.AesGcmBaseline.jcaEncryptDecrypt",
      "dev.bulwark.benchmarks.crypto.TinkEnvelopePeer.encryptDecrypt",
      "dev.bulwark.benchmarks.crypto.AwsEsdkPeer.encryptDecrypt"})
  public byte[] envelopeEncryptDecrypt() throws GeneralSecurityException {
    return fresh.decrypt(fresh.encrypt(plaintext, context), context);
  }

  /** A cached DEK with a per-message derived key: no KEK call on the hot path. */
  @Benchmark
  @ComparedWith({
      "dev.bulwark.benchmarks.baseline.AesGcmBaseline.jcaEncryptDecrypt",
      "dev.bulwark.benchmarks.crypto.TinkEnvelopePeer.encryptDecrypt",
      "dev.bulwark.benchmarks.crypto.AwsEsdkPeer.encryptDecrypt"})
  public byte[] envelopeEncryptDecryptCached() throws GeneralSecurityException {
    return cached.decrypt(cached.encrypt(plaintext, context), context);
  }
}
