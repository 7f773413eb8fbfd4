package dev.bulwark.benchmarks.audit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.InMemoryAuditStore;
import dev.bulwark.audit.export.AuditExporter;
import dev.bulwark.audit.export.ExportCursor;
import dev.bulwark.audit.export.ExportException;
import dev.bulwark.audit.export.ExportSink;
import dev.bulwark.audit.export.JsonLinesSink;
import dev.bulwark.audit.export.SiemFormat;
import dev.bulwark.benchmarks.ComparedWith;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.LoggerFactory;

/**
 * SIEM export of a signed in-memory log of 50,000 events (checkpoint every 1,000) to a JSON-lines
 * file, one thread, no fsync on either side.
 *
 * <ul>
 *   <li>{@code exportOcsfJsonLines}: {@link AuditExporter} batches of 256 from a cursor: read the
 *       store, decode, build each event's inclusion proof against its checkpoint, render OCSF
 *       (with the proof), write the batch (one write call).
 *   <li>{@code logbackSameLines}: the baseline — logback's FileAppender ({@code %msg%n},
 *       immediate flush) writing the very same OCSF lines, already rendered.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class AuditExportBenchmark {

  private static final String ORIGIN = "bench.example/audit";
  private static final int EVENTS = 50_000;
  private static final int BATCH = 256;

  private Path dir;
  private InMemoryAuditStore store;
  private long position;
  private AuditExporter exporter;
  private JsonLinesSink sink;
  private String[] rendered;
  private int nextLine;
  private Logger logback;
  private LoggerContext logbackContext;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("export-bench");
    store = new InMemoryAuditStore();
    CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
    try (AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).checkpointEvery(1_000, Duration.ofHours(1)).build()) {
      for (int i = 0; i < EVENTS; i++) {
        log.append(BenchEvents.event(i));
      }
    }
    sink = JsonLinesSink.appendTo(dir.resolve("export.jsonl"), false);
    ExportCursor cursor = new ExportCursor() {
      @Override
      public long next() {
        return position;
      }

      @Override
      public void commit(long n) {
        position = n;
      }
    };
    exporter = AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF, sink).cursor(cursor).batchSize(BATCH).build();
    // The same lines, rendered once, for logback.
    List<String> lines = new ArrayList<>();
    ExportSink collect = batch -> {
      batch.forEach(l -> lines.add(l.text()));
      return true;
    };
    AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF, collect).until(10_000).build().exportAvailable();
    rendered = lines.toArray(new String[0]);

    logbackContext = (LoggerContext) LoggerFactory.getILoggerFactory();
    logbackContext.reset();
    PatternLayoutEncoder enc = new PatternLayoutEncoder();
    enc.setContext(logbackContext);
    enc.setPattern("%msg%n");
    enc.start();
    FileAppender<ILoggingEvent> app = new FileAppender<>();
    app.setContext(logbackContext);
    app.setFile(dir.resolve("logback.jsonl").toString());
    app.setEncoder(enc);
    app.setImmediateFlush(true);
    app.start();
    logback = logbackContext.getLogger("export");
    logback.setAdditive(false);
    logback.addAppender(app);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    sink.close();
    logbackContext.stop();
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  /** Truncates the output files between iterations so the disk does not fill. */
  @Setup(Level.Iteration)
  public void truncate() throws IOException {
    sink.close();
    Files.deleteIfExists(dir.resolve("export.jsonl"));
    sink = JsonLinesSink.appendTo(dir.resolve("export.jsonl"), false);
    ExportCursor cursor = new ExportCursor() {
      @Override
      public long next() {
        return position;
      }

      @Override
      public void commit(long n) {
        position = n;
      }
    };
    exporter = AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF, sink).cursor(cursor).batchSize(BATCH).build();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  @ComparedWith("dev.bulwark.benchmarks.audit.AuditExportBenchmark.logbackSameLines")
  public int exportOcsfJsonLines() throws ExportException {
    if (position + BATCH > EVENTS) {
      position = 0;
    }
    return exporter.exportBatch();
  }

  @Benchmark
  public void logbackSameLines() {
    if (nextLine == rendered.length) {
      nextLine = 0;
    }
    logback.info(rendered[nextLine++]);
  }
}
