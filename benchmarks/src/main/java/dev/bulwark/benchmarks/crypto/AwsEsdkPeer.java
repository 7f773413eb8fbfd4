package dev.bulwark.benchmarks.crypto;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoAlgorithm;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Map;
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
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * Peer: the AWS Encryption SDK for Java 3.x with a raw AES-256 keyring (no KMS, no network) and
 * the committing suite without signatures ({@code ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY},
 * {@code RequireEncryptRequireDecrypt}), one encryption-context pair. One op = {@code encryptData}
 * then {@code decryptData} of {@code size} bytes: a fresh data key per message, wrapped and
 * unwrapped by the keyring (the 3.x caching materials manager accepts only legacy master-key
 * providers, not keyrings, and is not used here). Passing a default materials manager built once
 * instead of the keyring measured the same.
 *
 * <p>The SDK takes far longer than the other libraries to reach steady speed (its code is largely
 * generated from Dafny): on the build VM a 1 KiB round trip took about 170 µs after 10,000 ops and
 * about 65 µs after 60,000. So that short JMH warm-ups do not measure it half-warm, set-up runs
 * 60,000 round trips (or 60 s, whichever ends first) before JMH's own warm-up.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AwsEsdkPeer {

  @Param({"1024", "65536"})
  public int size;

  private AwsCrypto crypto;
  private IKeyring keyring;
  private byte[] plaintext;
  private final Map<String, String> context = Map.of("tenant", "acme");

  @Setup
  public void setUp() {
    SecureRandom random = new SecureRandom();
    byte[] kek = new byte[32];
    random.nextBytes(kek);
    crypto = AwsCrypto.builder()
        .withCommitmentPolicy(CommitmentPolicy.RequireEncryptRequireDecrypt)
        .withEncryptionAlgorithm(CryptoAlgorithm.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY)
        .build();
    MaterialProviders mpl = MaterialProviders.builder()
        .MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build();
    keyring = mpl.CreateRawAesKeyring(CreateRawAesKeyringInput.builder()
        .keyNamespace("bulwark-bench").keyName("kek-1")
        .wrappingKey(ByteBuffer.wrap(kek))
        .wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16)
        .build());
    plaintext = new byte[size];
    random.nextBytes(plaintext);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (int i = 0; i < 60_000 && System.nanoTime() < deadline; i++) {
      encryptDecrypt();
    }
  }

  /** Encrypt then decrypt. */
  @Benchmark
  public byte[] encryptDecrypt() {
    byte[] ct = crypto.encryptData(keyring, plaintext, context).getResult();
    return crypto.decryptData(keyring, ct, context).getResult();
  }
}
