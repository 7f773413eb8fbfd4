package dev.bulwark.benchmarks.lifecycle;

import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.Lifecycle;
import dev.bulwark.lifecycle.PurgeReport;
import dev.bulwark.lifecycle.PurgeRunner;
import dev.bulwark.lifecycle.RetentionPolicies;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore;
import dev.bulwark.lifecycle.jdbc.TableMapping;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Period;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Purging {@code rows} due rows of a host table on PostgreSQL in bounded batches of 1,000 (single
 * shot: one full purge per iteration, table refilled before each), against a plain batched
 * {@code DELETE ... SKIP LOCKED} loop with no hold checks and no evidence. The longest batch
 * transaction of each purge is printed as {@code max batch}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(1)
public class PurgeBenchmark {

  private static final DataClass EVENTS = DataClass.of("event");

  @Param({"1000000"})
  public int rows;

  private BenchDatabase db;
  private Lifecycle lifecycle;

  @Setup(Level.Iteration)
  public void fill() throws SQLException {
    db = new BenchDatabase();
    db.execute(
        "CREATE TABLE events (id bigint PRIMARY KEY, subject text, tenant text, deleted_at timestamptz,"
            + " purge_after timestamptz, payload text)",
        "INSERT INTO events SELECT g, 'user-' || (g % 50000), 'tenant-' || (g % 20), now() - interval '31 days',"
            + " now() - interval '1 day' + (g * interval '1 millisecond'), repeat('x', 100)"
            + " FROM generate_series(1, " + rows + ") g",
        "CREATE INDEX events_purge ON events (purge_after) WHERE purge_after IS NOT NULL",
        "ANALYZE events");
    JdbcLifecycleStore.createSchema(db.dataSource());
    JdbcLifecycleStore store = JdbcLifecycleStore.create(db.dataSource(),
        TableMapping.of(EVENTS, "events").withSubject("subject").withTenant("tenant"));
    lifecycle = Lifecycle.builder(store)
        .policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(EVENTS, Period.ofDays(30))))
        .build();
    db.execute("ANALYZE bulwark_lifecycle_holds");
  }

  @TearDown(Level.Iteration)
  public void drop() throws SQLException {
    db.close();
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.lifecycle.PurgeBenchmark.plainBatchedDelete")
  public PurgeReport bulwarkPurge() throws Exception {
    PurgeReport r = lifecycle.purgeRunner()
        .run(new PurgeRunner.Confirmation(Attribution.of("benchmark", "purge benchmark"), rows));
    if (r.total() != rows) {
      throw new IllegalStateException("purged " + r.total() + " of " + rows);
    }
    System.out.printf(Locale.ROOT, "%n  purged %d rows in %d batches, max batch %d ms%n",
        r.total(), r.batches(), r.maxBatchTime().toMillis());
    return r;
  }

  @Benchmark
  public long plainBatchedDelete() throws SQLException {
    long total = 0;
    long maxNanos = 0;
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM events WHERE id IN (SELECT id FROM events"
            + " WHERE purge_after <= now() ORDER BY purge_after LIMIT 1000 FOR UPDATE SKIP LOCKED)")) {
      while (true) {
        long start = System.nanoTime();
        int n = ps.executeUpdate();
        maxNanos = Math.max(maxNanos, System.nanoTime() - start);
        if (n == 0) {
          break;
        }
        total += n;
      }
    }
    System.out.printf(Locale.ROOT, "%n  plain delete %d rows, max batch %d ms%n", total,
        Duration.ofNanos(maxNanos).toMillis());
    return total;
  }
}
