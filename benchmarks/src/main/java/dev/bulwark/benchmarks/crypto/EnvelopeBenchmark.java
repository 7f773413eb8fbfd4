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
 * Bulwark envelope round trip: one op = {@code encrypt} then {@code decrypt} of {@code size} bytes
 * with a one-pair encryption context, a local KEK (in-process AES-256-GCM KEK from
 * {@code KekProviders.local}), ciphertext format 3 (AES-256-GCM under the data key's content key
 * with a fresh random 96-bit nonce, key commitment checked on decryption), in two configurations
 * that are reported separately:
 *
 * <ul>
 *   <li>{@link #envelopeEncryptDecryptFreshDek}: {@code DataKeyCachePolicy.NONE}, a fresh data key
 *       per message, so every op also wraps and unwraps a DEK under the KEK and derives its content
 *       key and commitment on both sides (like Tink's {@code KmsEnvelopeAead} and the AWS SDK peer,
 *       which also make a data key per message).
 *   <li>{@link #envelopeEncryptDecryptCachedDek}: the default envelope
 *       ({@code DataKeyCachePolicy.DEFAULT}): one data key serves up to 65,536 messages, so the
 *       KEK is called once per 65,536 ops on each side (the decryption side finds the DEK in its
 *       decryption cache after the first message, as a reading process would); every message
 *       still gets a fresh nonce, is counted against the limits and is checked against its
 *       commitment.
 * </ul>
 *
 * <p>Baselines (same run): raw AES-256-GCM through the JCA and through Tink
 * ({@code AesGcmBaseline}: into new arrays like the envelope, into reused buffers, and through
 * Tink; judge against the fastest), Tink {@code KmsEnvelopeAead} with a local
 * KEK, and the AWS Encryption SDK with a raw AES keyring and the committing unsigned suite. Set-up
 * first runs 50,000 round trips of 1 KiB through each configuration (or 30 s), like the baselines.
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
  private Envelope freshDek;
  private Envelope cachedDek;
  private byte[] plaintext;

  @Setup
  public void setUp() throws GeneralSecurityException {
    SecureRandom random = new SecureRandom();
    byte[] master = new byte[32];
    random.nextBytes(master);
    Keyrings keyrings = Keyrings.builder(KeyringStores.inMemory(), KekProviders.local(KekProviders.masterKey(master)))
        .build();
    freshDek = Envelope.builder(keyrings).dataKeyCache(DataKeyCachePolicy.NONE).build();
    cachedDek = Envelope.builder(keyrings).build();
    // As AesGcmBaseline: compile the JDK's AES-GCM intrinsics on 1 KiB messages before JMH's
    // warm-up, which at 64 KiB is otherwise too short to finish that.
    plaintext = new byte[1024];
    long deadline = System.nanoTime() + 30_000_000_000L;
    for (int i = 0; i < 50_000 && System.nanoTime() < deadline; i++) {
      envelopeEncryptDecryptFreshDek();
      envelopeEncryptDecryptCachedDek();
    }
    plaintext = new byte[size];
    random.nextBytes(plaintext);
  }

  /** A fresh DEK per message: KEK wrap on encrypt, KEK unwrap on decrypt. */
  @Benchmark
  @ComparedWith({
      "dev.bulwark.benchmarks.baseline.AesGcmBaseline.jcaEncryptDecrypt",
      "dev.bulwark.benchmarks.baseline.AesGcmBaseline.jcaEncryptDecryptReusedBuffers",
      "dev.bulwark.benchmarks.baseline.AesGcmBaseline.tinkEncryptDecrypt",
      "dev.bulwark.benchmarks.crypto.TinkEnvelopePeer.encryptDecrypt",
      "dev.bulwark.benchmarks.crypto.AwsEsdkPeer.encryptDecrypt"})
  public byte[] envelopeEncryptDecryptFreshDek() throws GeneralSecurityException {
    return freshDek.decrypt(freshDek.encrypt(plaintext, context), context);
  }

  /** The default envelope: a cached DEK and its content key, a fresh nonce, one KEK call per 65,536 ops. */
  @Benchmark
  @ComparedWith({
      "dev.bulwark.benchmarks.baseline.AesGcmBaseline.jcaEncryptDecrypt",
      "dev.bulwark.benchmarks.baseline.AesGcmBaseline.jcaEncryptDecryptReusedBuffers",
      "dev.bulwark.benchmarks.baseline.AesGcmBaseline.tinkEncryptDecrypt",
      "dev.bulwark.benchmarks.crypto.TinkEnvelopePeer.encryptDecrypt",
      "dev.bulwark.benchmarks.crypto.AwsEsdkPeer.encryptDecrypt"})
  public byte[] envelopeEncryptDecryptCachedDek() throws GeneralSecurityException {
    return cachedDek.decrypt(cachedDek.encrypt(plaintext, context), context);
  }
}
