package dev.bulwark.benchmarks.audit;


import dev.bulwark.audit.Appended;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.ChainKey;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.jdbc.JdbcAuditStore;
import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.testing.pg.TestPool;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.sql.DataSource;
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
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Acknowledged appends per second to the PostgreSQL store on 127.0.0.1, in a throw-away schema;
 * one op is one event whose transaction committed. Keyed chain and signed checkpoints (defaults).
 *
 * <ul>
 *   <li>{@code postgresAppendAsync16Threads}: 16 producer threads each keep {@value #WINDOW}
 *       {@code appendAsync} futures in flight; the log's writer commits everything queued as one
 *       transaction. Each invocation queues one event and waits for the oldest future of its
 *       thread, so an op counts only once its COMMIT returned. The window is filled before and
 *       drained after each iteration, outside the measurement.
 *   <li>{@code postgresAppend16Threads}: synchronous {@code append}, one event per call (a batch
 *       holds at most 16 events); {@code ...Batch32}: {@code appendAll} of 32 events per call.
 * </ul>
 *
 * Compared with logback's JSON-line FileAppender from 16 threads (no fsync, no chain).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class AuditJdbcBenchmark {

  /** appendAsync futures each producer thread keeps in flight. */
  public static final int WINDOW = 64;
  private static final String ORIGIN = "bench.example/jdbc";
  private final AtomicLong counter = new AtomicLong();
  private String schema;
  private TestPool pool;
  private AuditLog log;
  private List<AuditEvent> events;

  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    schema = "bench_audit_" + Long.toHexString(System.nanoTime());
    PGSimpleDataSource raw = new PGSimpleDataSource();
    raw.setUrl(System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"));
    raw.setUser(System.getProperty("bulwark.pg.user", "postgres"));
    try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    raw.setCurrentSchema(schema);
    pool = TestPool.growing(raw);
    log = AuditLog.builder(ORIGIN, new JdbcAuditStore(pool, "bench")).signer(CheckpointSigner.generate(ORIGIN))
        .chainKey(ChainKey.generate()).build();
    events = new ArrayList<>();
    for (int i = 0; i < 1024; i++) {
      events.add(BenchEvents.event(i));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws SQLException {
    log.close();
    pool.close();
    PGSimpleDataSource raw = new PGSimpleDataSource();
    raw.setUrl(System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"));
    raw.setUser(System.getProperty("bulwark.pg.user", "postgres"));
    try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA " + schema + " CASCADE");
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
    public void fill(AuditJdbcBenchmark b) {
      while (futures.size() < WINDOW) {
        futures.add(b.log.appendAsync(b.next()));
      }
    }

    @TearDown(Level.Iteration)
    public void drain() {
      while (!futures.isEmpty()) {
        futures.poll().join();
      }
    }
  }

  @Benchmark
  @Threads(16)
  @ComparedWith("dev.bulwark.benchmarks.audit.AuditAppendBenchmark.logbackJsonLine16Threads")
  public long postgresAppendAsync16Threads(InFlight inFlight) {
    inFlight.futures.add(log.appendAsync(next()));
    return inFlight.futures.poll().join().seq();
  }

  @Benchmark
  @Threads(16)
  @ComparedWith("dev.bulwark.benchmarks.audit.AuditAppendBenchmark.logbackJsonLine16Threads")
  public long postgresAppend16Threads() {
    return log.append(events.get((int) (counter.getAndIncrement() & 1023))).seq();
  }

  @Benchmark
  @Threads(16)
  @OperationsPerInvocation(32)
  @ComparedWith("dev.bulwark.benchmarks.audit.AuditAppendBenchmark.logbackJsonLine16Threads")
  public int postgresAppend16ThreadsBatch32() {
    int base = (int) (counter.getAndAdd(32) & 1023);
    List<AuditEvent> batch = new ArrayList<>(32);
    for (int i = 0; i < 32; i++) {
      batch.add(events.get((base + i) & 1023));
    }
    return log.appendAll(batch).size();
  }
}
