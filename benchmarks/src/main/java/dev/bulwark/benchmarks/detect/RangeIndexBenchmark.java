package dev.bulwark.benchmarks.detect;

import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.detect.RangeIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Breached-password lookups in an offline {@link RangeIndex} of 2,000 ranges of 480 hashes each
 * (the public corpus averages about 478 per range), half of the lookups hits. Baseline: computing
 * the SHA-1 of the password, which every lookup needs anyway.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class RangeIndexBenchmark {

  private Path dir;
  private RangeIndex index;
  private byte[][] probes;
  private byte[][] passwords;
  private int next;
  private MessageDigest sha1;

  @Setup(Level.Trial)
  public void setUp() throws IOException, NoSuchAlgorithmException {
    dir = Files.createTempDirectory("range-bench");
    Path ranges = Files.createDirectories(dir.resolve("ranges"));
    SplittableRandom r = new SplittableRandom(1);
    probes = new byte[4096][];
    for (int p = 0; p < 2000; p++) {
      int prefix = r.nextInt(1 << 20);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 480; i++) {
        StringBuilder suffix = new StringBuilder();
        for (int k = 0; k < 35; k++) {
          suffix.append(Character.toUpperCase(Character.forDigit(r.nextInt(16), 16)));
        }
        sb.append(suffix).append(':').append(1 + r.nextInt(100_000)).append("\r\n");
        int slot = r.nextInt(probes.length * 8);
        if (slot < probes.length) {
          probes[slot] = unhex(String.format(Locale.ROOT, "%05X", prefix) + suffix);
        }
      }
      Files.writeString(ranges.resolve(String.format(Locale.ROOT, "%05X.txt", prefix)), sb, StandardCharsets.US_ASCII);
    }
    for (int i = 0; i < probes.length; i++) {
      if (probes[i] == null || i % 2 == 1) { // misses
        byte[] h = new byte[20];
        r.nextBytes(h);
        probes[i] = h;
      }
    }
    RangeIndex.build(ranges, dir.resolve("idx"));
    index = RangeIndex.open(dir.resolve("idx"));
    passwords = new byte[probes.length][];
    for (int i = 0; i < passwords.length; i++) {
      passwords[i] = ("password-" + i).getBytes(StandardCharsets.UTF_8);
    }
    sha1 = MessageDigest.getInstance("SHA-1");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    index.close();
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static byte[] unhex(String s) {
    byte[] out = new byte[20];
    for (int i = 0; i < 20; i++) {
      out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }

  @Benchmark
  public byte[] sha1Only() {
    return sha1.digest(passwords[next++ & (passwords.length - 1)]);
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.detect.RangeIndexBenchmark.sha1Only")
  public long lookup() throws IOException {
    return index.timesSeen(probes[next++ & (probes.length - 1)]);
  }
}
