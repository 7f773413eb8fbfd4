package dev.bulwark.benchmarks.audit;

import dev.bulwark.benchmarks.BenchmarkPool;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.jdbc.JdbcAuditStore;
import dev.bulwark.benchmarks.ComparedWith;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
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
 * Acknowledged (committed) appends per second to the PostgreSQL store on 127.0.0.1 from 16
 * producer threads, one event per call and 32 per call, in a throw-away schema.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class AuditJdbcBenchmark {

  private static final String ORIGIN = "bench.example/jdbc";
  private final AtomicLong counter = new AtomicLong();
  private String schema;
  private BenchmarkPool pool;
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
    pool = new BenchmarkPool(raw);
    log = AuditLog.builder(ORIGIN, new JdbcAuditStore(pool, "bench")).signer(CheckpointSigner.generate(ORIGIN)).build();
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
