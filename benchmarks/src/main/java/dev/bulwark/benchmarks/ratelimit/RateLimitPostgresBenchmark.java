package dev.bulwark.benchmarks.ratelimit;

import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.ratelimit.RateLimitDecision;
import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.RateLimitKey;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.jdbc.JdbcRateLimitStore;
import dev.bulwark.testing.pg.TestPool;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * 16 threads over a 16-connection pool on PostgreSQL (127.0.0.1:5432, database {@code test},
 * override with {@code -Dbulwark.pg.url}/{@code -Dbulwark.pg.user}), 10,000 keys, in a throw-away
 * schema: {@link JdbcRateLimitStore} (one {@code INSERT ... ON CONFLICT DO UPDATE ... RETURNING})
 * against Bucket4j's PostgreSQL backend ({@code SELECT ... FOR UPDATE} then {@code UPDATE} in a
 * transaction). Both enforce 5 per day per key, so most calls are denials after the first seconds
 * and the refill is negligible during the run: after the run every key must have been admitted
 * exactly {@code min(calls, 5)} times, or the benchmark fails.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@Threads(16)
public class RateLimitPostgresBenchmark {

  private static final int KEYS = 10_000;
  private static final long BURST = 5;

  private final RateLimitKey[] keys = new RateLimitKey[KEYS];
  private String schema;
  private PGSimpleDataSource admin;
  private TestPool pool;
  private RateLimiter limiter;
  private ProxyManager<Long> bucket4j;
  private BucketConfiguration configuration;
  private final AtomicLongArray calls = new AtomicLongArray(KEYS);
  private final AtomicLongArray admitted = new AtomicLongArray(KEYS);
  private final AtomicLongArray peerCalls = new AtomicLongArray(KEYS);
  private final AtomicLongArray peerAdmitted = new AtomicLongArray(KEYS);

  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    for (int i = 0; i < KEYS; i++) {
      keys[i] = RateLimitKey.builder().source("198.51." + (i / 256) + "." + (i % 256)).build();
    }
    byte[] suffix = new byte[6];
    new SecureRandom().nextBytes(suffix);
    schema = "bench_ratelimit_" + HexFormat.of().formatHex(suffix);
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
    limiter = RateLimiter.builder("bench", JdbcRateLimitStore.create(pool)).quota(Quota.perDay(BURST)).build();
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE bucket (id BIGINT PRIMARY KEY, state BYTEA, expires_at BIGINT)");
    }
    bucket4j = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(pool).build();
    configuration = BucketConfiguration.builder()
        .addLimit(Bandwidth.builder().capacity(BURST).refillGreedy(BURST, Duration.ofDays(1)).build()).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws SQLException {
    pool.close();
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA " + schema + " CASCADE");
    }
    check("bulwark", calls, admitted);
    check("bucket4j", peerCalls, peerAdmitted);
  }

  private static void check(String who, AtomicLongArray calls, AtomicLongArray admitted) {
    long total = 0;
    long totalAdmitted = 0;
    for (int i = 0; i < KEYS; i++) {
      long expected = Math.min(calls.get(i), BURST);
      if (admitted.get(i) != expected) {
        throw new IllegalStateException(who + ": key " + i + " admitted " + admitted.get(i) + " of " + calls.get(i)
            + " calls, expected exactly " + expected);
      }
      total += calls.get(i);
      totalAdmitted += admitted.get(i);
    }
    if (total > 0) {
      System.out.println("exact admission check (" + who + "): " + totalAdmitted + " admitted of " + total + " calls");
    }
  }

  @Benchmark
  public boolean bucket4jPostgres() {
    int k = ThreadLocalRandom.current().nextInt(KEYS);
    boolean ok = bucket4j.builder().build((long) k, () -> configuration).tryConsume(1);
    peerCalls.incrementAndGet(k);
    if (ok) {
      peerAdmitted.incrementAndGet(k);
    }
    return ok;
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.ratelimit.RateLimitPostgresBenchmark.bucket4jPostgres")
  public boolean bulwarkAcquire() {
    int k = ThreadLocalRandom.current().nextInt(KEYS);
    RateLimitDecision d = limiter.acquire(keys[k]);
    if (d.reason() == RateLimitDecision.Reason.STORE_UNAVAILABLE) {
      throw new IllegalStateException("the store failed during the benchmark");
    }
    calls.incrementAndGet(k);
    if (d.allowed()) {
      admitted.incrementAndGet(k);
    }
    return d.allowed();
  }
}
