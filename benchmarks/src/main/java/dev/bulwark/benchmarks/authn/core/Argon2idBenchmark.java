package dev.bulwark.benchmarks.authn.core;

import dev.bulwark.authn.password.Argon2idParameters;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.benchmarks.ComparedWith;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Argon2id at Bulwark's defaults (m=19456 KiB, t=2, p=1, 16-byte salt, 32-byte tag): milliseconds
 * per hash and per verify, against raw Bouncy Castle at the same parameters (the floor: the ratio
 * shows what NFKC, PHC formatting and constant-time comparison add).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class Argon2idBenchmark {

  private static final String PASSWORD = "correct horse battery staple";

  private PasswordHasher hasher;
  private String stored;
  private byte[] salt;

  @Setup
  public void setUp() {
    hasher = PasswordHasher.builder().parameters(Argon2idParameters.OWASP).build();
    stored = hasher.hash(PASSWORD);
    salt = new byte[16];
    new SecureRandom().nextBytes(salt);
  }

  /** Raw Bouncy Castle Argon2id, m=19456 KiB, t=2, p=1, 32-byte tag. */
  @Benchmark
  public byte[] rawBouncyCastle() {
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(19_456).withIterations(2).withParallelism(1).withSalt(salt).build());
    byte[] out = new byte[32];
    g.generateBytes(PASSWORD.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authn.core.Argon2idBenchmark.rawBouncyCastle")
  public String hashDefaults() {
    return hasher.hash(PASSWORD);
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authn.core.Argon2idBenchmark.rawBouncyCastle")
  public boolean verifyDefaults() {
    return hasher.verify(PASSWORD, stored);
  }
}
