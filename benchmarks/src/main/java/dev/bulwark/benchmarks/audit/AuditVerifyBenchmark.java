package dev.bulwark.benchmarks.audit;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.ChainKey;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.FileAuditStore;
import dev.bulwark.audit.VerificationReport;
import dev.bulwark.benchmarks.ComparedWith;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Events verified per second over a 1,000,000-event file log, signed and, with {@code keyed}
 * (the default measurement), keyed (four segments, a checkpoint every 10,000 events). One op is
 * one event; an invocation opens the log read-only and verifies all of it: frame CRCs, canonical
 * form, leaf hash, chain hash, HMAC (keyed logs), Merkle tree rebuild, every checkpoint's
 * signature, root and chain head. The verifier uses every processor (workers for the per-event
 * checks, the calling thread for sequencing and the tree). {@code keyed=false} measures a log
 * with signed checkpoints and no chain key, which skips exactly the per-event HMAC: two SHA-256
 * blocks and two digest copies per event.
 *
 * <p>One invocation takes about half a second, so the warm-up runs some sixteen of them: the
 * verifier's code paths are many, and the first few invocations still run partly interpreted
 * or under the first compilation tier (a one-second warm-up measured some 20% below the steady
 * state).
 *
 * <p>Baseline: {@code sha256SameBytes}, one sequential SHA-256 pass over the same segment files
 * (read with a 1 MiB direct buffer), reported per event: what just reading and hashing the bytes
 * once costs on one thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class AuditVerifyBenchmark {

  private static final int EVENTS = 1_000_000;
  private static final String ORIGIN = "bench.example/verify";

  /** Whether the log has a chain key (a per-event HMAC) besides its signed checkpoints. */
  @Param({"true", "false"})
  public boolean keyed;

  private Path dir;
  private AuditVerifier verifier;
  private List<Path> segments;
  private MessageDigest sha256;
  private ByteBuffer buffer;

  @Setup(Level.Trial)
  public void setUp() throws IOException, NoSuchAlgorithmException {
    dir = Files.createTempDirectory("audit-verify");
    CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
    ChainKey key = ChainKey.generate();
    try (FileAuditStore store = FileAuditStore.open(dir.resolve("log"));
        AuditLog log = (keyed ? AuditLog.builder(ORIGIN, store).chainKey(key) : AuditLog.builder(ORIGIN, store))
            .signer(signer).segments(250_000, Duration.ofDays(1)).checkpointEvery(10_000, Duration.ofHours(1)).build()) {
      List<AuditEvent> batch = new ArrayList<>();
      for (int i = 0; i < EVENTS; i++) {
        batch.add(BenchEvents.event(i));
        if (batch.size() == 2000) {
          log.appendAll(batch);
          batch.clear();
        }
      }
    }
    AuditVerifier.Builder vb = AuditVerifier.builder(ORIGIN).trust(signer.publicKey());
    verifier = (keyed ? vb.chainKey(key) : vb).build();
    try (Stream<Path> s = Files.list(dir.resolve("log"))) {
      segments = s.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().collect(Collectors.toList());
    }
    sha256 = MessageDigest.getInstance("SHA-256");
    buffer = ByteBuffer.allocateDirect(1 << 20);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  @ComparedWith("dev.bulwark.benchmarks.audit.AuditVerifyBenchmark.sha256SameBytes")
  public long verify1M() {
    try (FileAuditStore ro = FileAuditStore.openReadOnly(dir.resolve("log"))) {
      VerificationReport r = verifier.verify(ro);
      if (!r.intact() || r.size() != EVENTS) {
        throw new IllegalStateException(r.summary());
      }
      return r.size();
    }
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public byte[] sha256SameBytes() throws IOException {
    sha256.reset();
    for (Path p : segments) {
      try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
        buffer.clear();
        while (ch.read(buffer) > 0) {
          buffer.flip();
          sha256.update(buffer);
          buffer.clear();
        }
      }
    }
    return sha256.digest();
  }
}
