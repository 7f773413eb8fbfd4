package dev.bulwark.benchmarks.ratelimit;

import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.ratelimit.RateLimitDecision;
import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.RateLimitKey;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.redis.RedisRateLimitStore;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * 16 threads on one Lettuce connection each to Redis ({@code -Dbulwark.redis.uri}, default
 * {@code redis://127.0.0.1:6379}), 10,000 keys under a per-run prefix: {@link RedisRateLimitStore}
 * (one {@code EVALSHA} per decision) against Bucket4j's Lettuce backend (compare-and-swap: a read,
 * then a scripted swap, retried on conflict), and one raw {@code EVALSHA} round trip of a script
 * that only increments a key, the floor any scripted limiter pays. All limits: 1,000 per minute per
 * key.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@Threads(16)
public class RateLimitRedisBenchmark {

  private static final int KEYS = 10_000;
  private static final String RAW_SCRIPT = "return redis.call('INCR', KEYS[1])";

  private final RateLimitKey[] keys = new RateLimitKey[KEYS];
  private final byte[][] peerKeys = new byte[KEYS][];
  private final String[][] rawKeys = new String[KEYS][];
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private StatefulRedisConnection<byte[], byte[]> peerConnection;
  private RedisRateLimitStore store;
  private RateLimiter limiter;
  private ProxyManager<byte[]> bucket4j;
  private BucketConfiguration configuration;
  private String rawSha;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] b = new byte[4];
    new SecureRandom().nextBytes(b);
    String run = HexFormat.of().formatHex(b);
    for (int i = 0; i < KEYS; i++) {
      keys[i] = RateLimitKey.builder().tenant(run).principal("user-" + i).build();
      peerKeys[i] = ("bench:b4j:" + run + ":" + i).getBytes(StandardCharsets.UTF_8);
      rawKeys[i] = new String[] {"bench:raw:" + run + ":" + i};
    }
    String uri = System.getProperty("bulwark.redis.uri", "redis://127.0.0.1:6379");
    client = RedisClient.create(uri);
    connection = client.connect();
    peerConnection = client.connect(ByteArrayCodec.INSTANCE);
    limiter = RateLimiter.builder("bench", store = RedisRateLimitStore.connect(URI.create(uri))).quota(Quota.perMinute(1000)).build();
    bucket4j = Bucket4jLettuce.casBasedBuilder(peerConnection)
        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(2)))
        .build();
    configuration = BucketConfiguration.builder()
        .addLimit(Bandwidth.builder().capacity(1000).refillGreedy(1000, Duration.ofMinutes(1)).build()).build();
    rawSha = connection.sync().scriptLoad(RAW_SCRIPT);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    String[] all = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      all[i] = rawKeys[i][0];
    }
    connection.sync().del(all);
    store.close();
    peerConnection.close();
    connection.close();
    client.shutdown();
  }

  @Benchmark
  public Long rawEvalsha() {
    return connection.sync().evalsha(rawSha, ScriptOutputType.INTEGER, rawKeys[ThreadLocalRandom.current().nextInt(KEYS)]);
  }

  @Benchmark
  public boolean bucket4jLettuce() {
    return bucket4j.builder().build(peerKeys[ThreadLocalRandom.current().nextInt(KEYS)], () -> configuration).tryConsume(1);
  }

  @Benchmark
  @ComparedWith({"dev.bulwark.benchmarks.ratelimit.RateLimitRedisBenchmark.bucket4jLettuce",
      "dev.bulwark.benchmarks.ratelimit.RateLimitRedisBenchmark.rawEvalsha"})
  public boolean bulwarkAcquire() {
    RateLimitDecision d = limiter.acquire(keys[ThreadLocalRandom.current().nextInt(KEYS)]);
    if (d.reason() == RateLimitDecision.Reason.STORE_UNAVAILABLE) {
      throw new IllegalStateException("Redis failed during the benchmark");
    }
    return d.allowed();
  }

}
