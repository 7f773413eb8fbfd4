package dev.bulwark.benchmarks.audit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.bulwark.audit.Appended;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.ChainKey;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.FileAuditStore;
import dev.bulwark.audit.InMemoryAuditStore;
import dev.bulwark.benchmarks.ComparedWith;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.LoggerFactory;

/**
 * Audit appends per second. One op is one event the log acknowledged: for the in-memory log
 * when {@code append} returned, for the file log only after the fsync that covers it.
 *
 * <ul>
 *   <li>{@code memoryAppend}: one thread, synchronous {@code append} to an in-memory log, keyed
 *       chain (HMAC) and signed checkpoints every 1,000 events (the defaults; signing runs on the
 *       log's checkpoint thread). Baseline: {@code logbackJsonLine}.
 *   <li>{@code fileAppendAsync16Threads}: 16 producer threads, each keeping {@value #WINDOW}
 *       {@code appendAsync} futures in flight against a durable file log; each invocation queues
 *       one event and waits for the oldest future of that thread, so an op is counted only when
 *       its future completed (after its fsync). The window is filled before and drained after
 *       each iteration, outside the measurement.
 *   <li>{@code fileAppendDurable16Threads}: 16 threads, synchronous {@code append} of one event
 *       per call, so a group-commit batch holds at most 16 events and throughput is bounded by
 *       the fsync latency. {@code ...Batch32}: the same with {@code appendAll} of 32 events.
 *   <li>{@code logbackJsonLine}, {@code logbackJsonLine16Threads}: logback's FileAppender writing
 *       the same events as JSON lines (Jackson), immediate flush, no fsync, no chain: the
 *       alternative a team would otherwise pick.
 *   <li>{@code rawWriteAndFsync}: no log at all, one 400-byte write plus {@code force(false)} on
 *       a file in the same directory: the disk's fsync rate, which bounds any design that makes
 *       each event durable on its own.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class AuditAppendBenchmark {

  /** appendAsync futures each producer thread keeps in flight. */
  public static final int WINDOW = 64;
  private static final String ORIGIN = "bench.example/audit";
  private final AtomicLong counter = new AtomicLong();
  private Path dir;
  private CheckpointSigner signer;
  private ChainKey chainKey;
  private FileAuditStore fileStore;
  private AuditLog fileLog;
  private Logger logback;
  private LoggerContext logbackContext;
  private List<AuditEvent> events;
  private FileChannel raw;
  private ByteBuffer rawRecord;
  private long rawPosition;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("audit-bench");
    CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
    ChainKey key = ChainKey.generate();
    this.signer = signer;
    this.chainKey = key;
    fileStore = FileAuditStore.open(dir.resolve("log"));
    fileLog = AuditLog.builder(ORIGIN, fileStore).signer(signer).chainKey(key).build();
    events = new ArrayList<>();
    for (int i = 0; i < 1024; i++) {
      events.add(BenchEvents.event(i));
    }
    logbackContext = (LoggerContext) LoggerFactory.getILoggerFactory();
    logbackContext.reset();
    PatternLayoutEncoder enc = new PatternLayoutEncoder();
    enc.setContext(logbackContext);
    enc.setPattern("%msg%n");
    enc.start();
    FileAppender<ILoggingEvent> app = new FileAppender<>();
    app.setContext(logbackContext);
    app.setFile(dir.resolve("audit.jsonl").toString());
    app.setEncoder(enc);
    app.setImmediateFlush(true);
    app.start();
    logback = logbackContext.getLogger("audit");
    logback.setAdditive(false);
    logback.addAppender(app);
    raw = FileChannel.open(dir.resolve("raw.bin"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    rawRecord = ByteBuffer.allocateDirect(400);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    fileLog.close();
    fileStore.close();
    logbackContext.stop();
    raw.close();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private AuditEvent next() {
    return events.get((int) (counter.getAndIncrement() & 1023));
  }

  /** One producer thread's appendAsync futures, oldest first. */
  @State(Scope.Thread)
  public static class InFlight {
    final ArrayDeque<CompletableFuture<Appended>> futures = new ArrayDeque<>();

    @Setup(Level.Iteration)
    public void fill(AuditAppendBenchmark b) {
      while (futures.size() < WINDOW) {
        futures.add(b.fileLog.appendAsync(b.next()));
      }
    }

    @TearDown(Level.Iteration)
    public void drain() {
      while (!futures.isEmpty()) {
        futures.poll().join();
      }
    }
  }

  /**
   * A fresh in-memory log per iteration: the store keeps every event on the heap, and one log
   * carried through the whole run grows to several million events, so later iterations measured
   * the garbage collector copying an ever larger live set (632k events/s in the last warm-up
   * iteration, 171k in the last measured one) rather than appending.
   */
  @State(Scope.Benchmark)
  public static class MemoryLog {
    AuditLog log;

    @Setup(Level.Iteration)
    public void open(AuditAppendBenchmark b) {
      log = AuditLog.builder(ORIGIN, new InMemoryAuditStore()).signer(b.signer).chainKey(b.chainKey).build();
    }

    @TearDown(Level.Iteration)
    public void close() {
      log.close();
      log = null;
    }
  }

  @Benchmark
  @Threads(1)
  @ComparedWith("dev.bulwark.benchmarks.audit.AuditAppendBenchmark.logbackJsonLine")
  public long memoryAppend(MemoryLog memory) {
    return memory.log.append(next()).seq();
  }

  @Benchmark
  @Threads(16)
  @ComparedWith({"dev.bulwark.benchmarks.audit.AuditAppendBenchmark.logbackJsonLine16Threads",
      "dev.bulwark.benchmarks.audit.AuditAppendBenchmark.rawWriteAndFsync"})
  public long fileAppendAsync16Threads(InFlight inFlight) {
    inFlight.futures.add(fileLog.appendAsync(next()));
    return inFlight.futures.poll().join().seq();
  }

  @Benchmark
  @Threads(16)
  @ComparedWith({"dev.bulwark.benchmarks.audit.AuditAppendBenchmark.logbackJsonLine16Threads",
      "dev.bulwark.benchmarks.audit.AuditAppendBenchmark.rawWriteAndFsync"})
  public long fileAppendDurable16Threads() {
    return fileLog.append(next()).seq();
  }

  @Benchmark
  @Threads(16)
  @OperationsPerInvocation(32)
  @ComparedWith("dev.bulwark.benchmarks.audit.AuditAppendBenchmark.logbackJsonLine16Threads")
  public int fileAppendDurable16ThreadsBatch32() {
    int base = (int) (counter.getAndAdd(32) & 1023);
    List<AuditEvent> batch = new ArrayList<>(32);
    for (int i = 0; i < 32; i++) {
      batch.add(events.get((base + i) & 1023));
    }
    return fileLog.appendAll(batch).size();
  }

  @Benchmark
  @Threads(1)
  public void logbackJsonLine() {
    logback.info(BenchEvents.json(next()));
  }

  @Benchmark
  @Threads(16)
  public void logbackJsonLine16Threads() {
    logback.info(BenchEvents.json(next()));
  }

  @Benchmark
  @Threads(1)
  public long rawWriteAndFsync() throws IOException {
    rawRecord.clear();
    while (rawRecord.hasRemaining()) {
      rawPosition += raw.write(rawRecord, rawPosition);
    }
    raw.force(false);
    return rawPosition;
  }
}
