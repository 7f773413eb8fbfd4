package dev.bulwark.benchmarks.lifecycle;

import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.InMemoryHostRecords;
import dev.bulwark.lifecycle.Lifecycle;
import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.RetentionPolicies;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore;
import dev.bulwark.lifecycle.jdbc.TableMapping;
import dev.bulwark.lifecycle.spi.SoftDeletion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Period;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
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
 * Soft delete + restore of a two-record unit (a user row and its profile row), one pair per
 * operation: on PostgreSQL through the JDBC store, against two plain JDBC transactions that set
 * and clear {@code deleted_at} on the same rows (no operation journal, no who/why); and in memory.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class SoftDeleteBenchmark {

  private static final DataClass USER = DataClass.of("user");
  private static final DataClass PROFILE = DataClass.of("profile");
  private static final int ROWS = 10_000;
  private static final Attribution WHO = Attribution.of("benchmark", "soft delete benchmark");

  private BenchDatabase db;
  private DataSource ds;
  private Lifecycle jdbc;
  private Lifecycle memory;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    db = new BenchDatabase();
    ds = db.dataSource();
    db.execute(
        "CREATE TABLE users (id bigint PRIMARY KEY, subject text, deleted_at timestamptz, purge_after timestamptz)",
        "CREATE TABLE profiles (id bigint PRIMARY KEY, subject text, deleted_at timestamptz, purge_after timestamptz)",
        "INSERT INTO users SELECT g, 'u' || g, NULL, NULL FROM generate_series(1, " + ROWS + ") g",
        "INSERT INTO profiles SELECT g, 'u' || g, NULL, NULL FROM generate_series(1, " + ROWS + ") g");
    RetentionPolicies policies = RetentionPolicies.of(RetentionPolicy.purgeAfter(USER, Period.ofYears(1)),
        RetentionPolicy.purgeAfter(PROFILE, Period.ofYears(1)));
    JdbcLifecycleStore.createSchema(ds);
    jdbc = Lifecycle.builder(JdbcLifecycleStore.create(ds,
            TableMapping.of(USER, "users").withSubject("subject"),
            TableMapping.of(PROFILE, "profiles").withSubject("subject")))
        .policies(policies).build();
    InMemoryHostRecords mem = InMemoryHostRecords.of(USER, PROFILE);
    for (int i = 1; i <= ROWS; i++) {
      mem.insert(RecordRef.of(USER, Integer.toString(i)), Optional.of("u" + i), Optional.empty());
      mem.insert(RecordRef.of(PROFILE, Integer.toString(i)), Optional.of("u" + i), Optional.empty());
    }
    memory = Lifecycle.builder(LifecycleStore.inMemory(mem)).policies(policies).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws SQLException {
    db.close();
  }

  private String nextId() {
    next = next % ROWS + 1;
    return Integer.toString(next);
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.lifecycle.SoftDeleteBenchmark.plainJdbcDeleteRestore")
  public SoftDeletion jdbcSoftDeleteRestore() throws Exception {
    String id = nextId();
    SoftDeletion op = jdbc.softDelete(List.of(RecordRef.of(USER, id), RecordRef.of(PROFILE, id)), WHO);
    return jdbc.restore(op.id(), WHO);
  }

  @Benchmark
  public int plainJdbcDeleteRestore() throws SQLException {
    String id = nextId();
    int n = 0;
    try (Connection c = ds.getConnection()) {
      for (String sql : new String[] {
          "UPDATE %s SET deleted_at = now(), purge_after = now() + interval '30 days' WHERE id = CAST(? AS bigint)",
          "UPDATE %s SET deleted_at = NULL, purge_after = NULL WHERE id = CAST(? AS bigint)"}) {
        c.setAutoCommit(false);
        for (String table : new String[] {"users", "profiles"}) {
          try (PreparedStatement ps = c.prepareStatement(String.format(java.util.Locale.ROOT, sql, table))) {
            ps.setString(1, id);
            n += ps.executeUpdate();
          }
        }
        c.commit();
      }
      c.setAutoCommit(true);
    }
    return n;
  }

  @Benchmark
  public SoftDeletion memorySoftDeleteRestore() throws Exception {
    String id = nextId();
    SoftDeletion op = memory.softDelete(List.of(RecordRef.of(USER, id), RecordRef.of(PROFILE, id)), WHO);
    return memory.restore(op.id(), WHO);
  }
}
