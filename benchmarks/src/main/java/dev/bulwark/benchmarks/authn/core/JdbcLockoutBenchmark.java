package dev.bulwark.benchmarks.authn.core;


import dev.bulwark.authn.Factor;
import dev.bulwark.authn.lockout.Attempts;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.LockoutPolicy;
import dev.bulwark.authn.lockout.LockoutRule;
import dev.bulwark.authn.lockout.LockoutStatus;
import dev.bulwark.authn.lockout.jdbc.JdbcAttemptStore;
import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.testing.pg.TestPool;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@link JdbcAttemptStore} on PostgreSQL (127.0.0.1:5432, database {@code test}, user
 * {@code postgres}; override with {@code -Dbulwark.pg.url}/{@code -Dbulwark.pg.user}), 16 threads
 * over a 16-connection pool and 10,000 keys, in a throw-away schema. {@code checkAndRecord} is one
 * read plus one atomic {@code INSERT ... ON CONFLICT ... RETURNING} on one key;
 * {@code lockoutCheckAndRecord} is the full per-login lockout work of the older check-then-record
 * order and {@code lockoutReserve} that of the reserve-before-verify order (see there); the baseline is one bare
 * upsert increment over the same pool (one round trip), and {@code rawUpsertThreeKeys} the same bare
 * increment of the three keys an attempt counts, the floor of any exact three-key step. Both tables start with every key the run
 * touches (one failure each) and analyzed. After the run the table's total is compared with the
 * number of calls: the benchmark fails if a single count was lost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@Threads(16)
public class JdbcLockoutBenchmark {

  private static final int KEYS = 10_000;

  private final String[] keys = new String[KEYS];
  private String schema;
  private PGSimpleDataSource admin;
  private TestPool pool;
  private JdbcAttemptStore store;
  private Lockout lockout;
  private Lockout admitting;
  private final String[] sources = new String[1000];
  private final java.util.concurrent.atomic.LongAdder recorded = new java.util.concurrent.atomic.LongAdder();
  private long prefilledFailures;

  /** {@link JdbcAttemptStore.Builder#statementsInFlight}; {@code -p statementsInFlight=2,4} compares settings. */
  @Param("4")
  public int statementsInFlight;

  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "a:user-" + i;
    }
    byte[] suffix = new byte[6];
    new SecureRandom().nextBytes(suffix);
    schema = "bench_authn_" + HexFormat.of().formatHex(suffix);
    admin = new PGSimpleDataSource();
    admin.setUrl(System.getProperty("bulwark.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"));
    admin.setUser(System.getProperty("bulwark.pg.user", "postgres"));
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(admin.getUrl());
    ds.setUser(admin.getUser());
    ds.setCurrentSchema(schema);
    pool = TestPool.growing(ds);
    store = JdbcAttemptStore.builder(pool, Clock.systemUTC()).statementsInFlight(statementsInFlight).build();
    lockout = Lockout.builder(store).clock(Clock.systemUTC()).build();
    LockoutRule loose = new LockoutRule(100, Duration.ofMillis(1), Duration.ofMillis(1), 0, Duration.ofDays(1));
    admitting = Lockout.builder(store).clock(Clock.systemUTC())
        .policy(LockoutPolicy.defaults().withAccountRule(loose).withFactorRule(Factor.PASSWORD, loose)
            .withSourceRule(Optional.of(loose)))
        .build();
    for (int i = 0; i < sources.length; i++) {
      sources[i] = "198.51.100." + i;
    }
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE bench_counter (k VARCHAR(64) PRIMARY KEY, n BIGINT NOT NULL)");
      // Every key the run touches exists already, as in a database that has seen failed logins
      // before (and is analyzed, as autovacuum keeps it): the measurement is the steady state,
      // not the first seconds of filling an empty table. Same for the baseline's table.
      s.execute("INSERT INTO bulwark_authn_attempts (attempt_key, failures, last_failure_at, expires_at, disabled)"
          + " SELECT 'a:user-' || g, 1, now(), now() + interval '1 day', false FROM generate_series(0, " + (KEYS - 1) + ") g"
          + " UNION ALL SELECT 'f:password:user-' || g, 1, now(), now() + interval '1 day', false"
          + " FROM generate_series(0, " + (KEYS - 1) + ") g"
          + " UNION ALL SELECT 's:198.51.100.' || g, 1, now(), now() + interval '1 day', false"
          + " FROM generate_series(0, " + (sources.length - 1) + ") g");
      s.execute("INSERT INTO bench_counter (k, n) SELECT 'a:user-' || g, 1 FROM generate_series(0, " + (KEYS - 1) + ") g"
          + " UNION ALL SELECT 'f:password:user-' || g, 1 FROM generate_series(0, " + (KEYS - 1) + ") g"
          + " UNION ALL SELECT 's:198.51.100.' || g, 1 FROM generate_series(0, " + (sources.length - 1) + ") g");
      s.execute("ANALYZE bulwark_authn_attempts");
      s.execute("ANALYZE bench_counter");
    }
    prefilledFailures = 2L * KEYS + sources.length;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws SQLException {
    long total;
    try (Connection c = pool.getConnection(); Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SELECT COALESCE(SUM(failures), 0) FROM bulwark_authn_attempts")) {
      rs.next();
      total = rs.getLong(1);
    }
    pool.close();
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA " + schema + " CASCADE");
    }
    long stored = total - prefilledFailures;
    if (stored != recorded.sum()) {
      throw new IllegalStateException("lost counts: table holds " + stored + " failures beyond the "
          + prefilledFailures + " set up, " + recorded.sum() + " were recorded");
    }
    System.out.println("exact count check: " + stored + " failures recorded and stored");
  }

  @Benchmark
  public int rawUpsertIncrement() throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO bench_counter (k, n) VALUES (?, 1) ON CONFLICT (k) DO UPDATE SET n = bench_counter.n + 1")) {
      ps.setString(1, keys[ThreadLocalRandom.current().nextInt(KEYS)]);
      return ps.executeUpdate();
    }
  }

  /**
   * The floor of any exact three-key step: one bare upsert increment of the same three keys an
   * attempt counts (account, factor, source), in key order, with no decision and nothing read
   * back. {@code lockoutReserve} does this plus the admission test and returns the rows.
   */
  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authn.core.JdbcLockoutBenchmark.rawUpsertIncrement")
  public int rawUpsertThreeKeys() throws SQLException {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    int user = r.nextInt(KEYS);
    // Key order: "a:" < "f:" < "s:".
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO bench_counter (k, n) VALUES (?, 1), (?, 1), (?, 1) ON CONFLICT (k) DO UPDATE SET n = bench_counter.n + 1")) {
      ps.setString(1, keys[user]);
      ps.setString(2, "f:password:user-" + user);
      ps.setString(3, "s:" + sources[r.nextInt(sources.length)]);
      return ps.executeUpdate();
    }
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authn.core.JdbcLockoutBenchmark.rawUpsertIncrement")
  public Attempts checkAndRecord() {
    String k = keys[ThreadLocalRandom.current().nextInt(KEYS)];
    Instant now = Instant.now();
    Attempts a = store.get(k, now);
    if (a.disabled()) {
      return a;
    }
    Attempts after = store.recordFailure(k, now, now.plus(Duration.ofDays(1)), Long.MAX_VALUE);
    recorded.increment();
    return after;
  }

  /**
   * The whole {@link Lockout} step of a failed password login: {@code check} (one {@code SELECT}
   * of the account, factor and source records) then {@code recordFailure} (one statement that
   * upserts all three, in key order). Two round trips; the baseline is one.
   */
  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authn.core.JdbcLockoutBenchmark.rawUpsertIncrement")
  public LockoutStatus lockoutCheckAndRecord() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String account = "user-" + r.nextInt(KEYS);
    Optional<String> source = Optional.of(sources[r.nextInt(sources.length)]);
    LockoutStatus s = lockout.check(account, Factor.PASSWORD, source);
    LockoutStatus after = lockout.recordFailure(account, Factor.PASSWORD, source);
    recorded.add(3);
    return s.strictest(after);
  }

  /**
   * The whole {@link Lockout} step of a failed password login as {@code LoginFlow} runs it since
   * attempts are counted before they are verified: {@code reserve} (one statement that locks the
   * account, factor and source rows in key order, decides and upserts them) then {@code failed}
   * (no database work). One round trip, like the baseline. The policy admits (nearly) every
   * attempt, so each one writes its three rows, the costly case; the few refused by the 1 ms
   * source wait are counted as refused. The exact-count check covers it: the table holds
   * exactly three failures per admitted attempt.
   */
  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authn.core.JdbcLockoutBenchmark.rawUpsertIncrement")
  public LockoutStatus lockoutReserve() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String account = "user-" + r.nextInt(KEYS);
    Optional<String> source = Optional.of(sources[r.nextInt(sources.length)]);
    Lockout.Attempt attempt = admitting.reserve(account, Factor.PASSWORD, source);
    if (!attempt.admitted()) {
      return attempt.status();
    }
    recorded.add(3);
    return admitting.failed(attempt);
  }
}
