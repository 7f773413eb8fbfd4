package dev.bulwark.benchmarks.baseline;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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

/** The floor for hashing work (audit chains, Merkle trees): raw JDK SHA-256 over {@code size} bytes. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Sha256Baseline {

  @Param({"1024", "65536", "1048576"})
  public int size;

  private MessageDigest sha256;
  private byte[] input;

  @Setup
  public void setUp() throws NoSuchAlgorithmException {
    sha256 = MessageDigest.getInstance("SHA-256");
    input = new byte[size];
    new SecureRandom().nextBytes(input);
  }

  @Benchmark
  public byte[] sha256() {
    return sha256.digest(input);
  }
}
