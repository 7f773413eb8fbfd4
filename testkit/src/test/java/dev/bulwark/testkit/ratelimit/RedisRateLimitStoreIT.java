package dev.bulwark.testkit.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.redis.RedisRateLimitStore;
import dev.bulwark.testing.redis.RedisServer;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.testing.FakeClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RedisRateLimitStore} on a redis-server this test starts on a free port: the contract,
 * the {@code NOSCRIPT} fallback after {@code SCRIPT FLUSH}, the hash-tagged key layout and the
 * expiry that forgets a key only once it equals a fresh one.
 */
class RedisRateLimitStoreIT extends RateLimitStoreContract {

  @TempDir
  static Path dir;

  private static RedisServer server;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;

  @BeforeAll
  static void redis() throws Exception {
    server = RedisServer.start(dir);
    client = RedisClient.create(server.uri());
    connection = client.connect();
  }

  @AfterAll
  static void stop() throws Exception {
    connection.close();
    client.shutdown();
    server.close();
  }

  @Override
  protected int concurrencyThreads() {
    return 16;
  }

  @Override
  protected RateLimitStore createStore(FakeClock clock) {
    connection.sync().flushall();
    return RedisRateLimitStore.connect(URI.create(server.uri())); // closed by the contract after each test
  }

  @Test
  void scriptFlushed_isSentAgain_andDecidesTheSame() throws Exception {
    Quota q = Quota.perDay(10).withBurst(2);
    assertTrue(store.acquire("flush", List.of(q), 1).admitted());
    connection.sync().scriptFlush();
    assertTrue(store.acquire("flush", List.of(q), 1).admitted());
    assertTrue(!store.acquire("flush", List.of(q), 1).admitted());
  }

  @Test
  void keys_carryAHashTag_andExpireWhenTheyEqualAFreshKey() throws Exception {
    byte[] b = new byte[4];
    new SecureRandom().nextBytes(b);
    String key = "lim|k:" + HexFormat.of().formatHex(b);
    store.acquire(key, List.of(Quota.perMinute(60).withBurst(3)), 2);
    String redisKey = "bulwark:rl:{" + key + "}";
    assertEquals(1L, connection.sync().exists(redisKey));
    long pttl = connection.sync().pttl(redisKey);
    assertTrue(pttl > 1000 && pttl <= 2001, "expires when both units are back (2 s), was " + pttl + " ms");
  }
}
