package dev.bulwark.testkit.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.detect.redis.RedisDetectState;
import dev.bulwark.detect.spi.DetectState;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.redis.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisDetectState} on the shared Redis ({@code bulwark.redis.uri}): the contract with two
 * connections standing in for two nodes, each test under a key prefix of its own (deleted at the
 * end); the {@code NOSCRIPT} fallback; the hash-tagged layout.
 */
class RedisDetectStateIT extends DetectStateContract {

  private static final String RUN = "bulwark:it-detect-" + hex() + ":";
  private static RedisClient admin;
  private static StatefulRedisConnection<String, String> adminConnection;
  private static int prefixes;

  private final List<RedisDetectState> opened = new ArrayList<>();
  private String prefix;

  private static String hex() {
    byte[] b = new byte[6];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  @BeforeAll
  static void connectAdmin() {
    admin = RedisClient.create(RedisServer.sharedUri());
    adminConnection = admin.connect();
  }

  @AfterAll
  static void cleanUp() {
    ScanIterator<String> keys = ScanIterator.scan(adminConnection.sync(), ScanArgs.Builder.matches(RUN + "*").limit(500));
    while (keys.hasNext()) {
      adminConnection.sync().del(keys.next());
    }
    adminConnection.close();
    admin.shutdown();
  }

  private RedisDetectState open() {
    RedisDetectState s = RedisDetectState.builder(URI.create(RedisServer.sharedUri())).keyPrefix(prefix).build();
    opened.add(s);
    return s;
  }

  @Override
  protected DetectState createStore(FakeClock clock) {
    prefix = RUN + (prefixes++) + ":";
    return open();
  }

  @Override
  protected DetectState secondNode() {
    return open();
  }

  @AfterEach
  void closeOthers() {
    for (RedisDetectState s : opened) {
      if (s != store) {
        s.close();
      }
    }
  }

  @Test
  void scriptsFlushed_areSentAgain() {
    long t = clock.instant().toEpochMilli();
    store.addEvent("fail", "f", t, 60_000, 5);
    store.addMember("spray", "f", "a", t, 60_000, 5);
    store.putIfAbsent("session", "f", "v", 60_000);
    adminConnection.sync().scriptFlush();
    assertEquals(2, store.addEvent("fail", "f", t, 60_000, 5));
    assertEquals(2, store.addMember("spray", "f", "b", t, 60_000, 5));
    assertEquals("v", store.putIfAbsent("session", "f", "w", 60_000));
  }

  @Test
  void layout_oneHashTaggedKeyPerItem_withAnExpiry() {
    long t = clock.instant().toEpochMilli();
    RedisDetectState s = (RedisDetectState) store;
    s.addEvent("fail", "acct:{1}", t, 60_000, 5);
    String key = s.redisKey("fail", "acct:{1}");
    assertEquals(prefix + "fail:{acct:{1}}", key);
    assertEquals(String.valueOf(t), adminConnection.sync().get(key));
    long ttl = adminConnection.sync().pttl(key);
    assertTrue(ttl > 60_000 && ttl <= 120_000, "expiry is the width plus a minute: " + ttl);
    assertTrue(s.toString().contains(prefix));
  }

  @Test
  void counter_isOneHash_trimmedToWhatItKeeps_evenAfterALongSilence() {
    RedisDetectState s = (RedisDetectState) store;
    String key = s.redisKey("gfail", "all");
    // Buckets of 1 s, a span of 3, kept 5 s: 8 fields at most (plus "lo").
    for (int i = 0; i < 20; i++) {
      assertEquals(Math.min(i + 1, 3), s.addCount("gfail", "all", i * 1000L, 1, 1000, 3, 5000));
    }
    long fields = adminConnection.sync().hlen(key);
    assertTrue(fields <= 9, "trimmed as it goes: " + fields);
    assertEquals(3, s.sumCounts("gfail", "all", 17_000, 19_999, 1000));
    assertEquals(0, s.sumCounts("gfail", "all", 0, 9_999, 1000), "forgotten beyond the 5 s kept");
    // A day later: one sweep drops everything older.
    assertEquals(1, s.addCount("gfail", "all", 86_400_000L, 1, 1000, 3, 5000));
    assertEquals(2, adminConnection.sync().hlen(key), "the new bucket and lo");
    long ttl = adminConnection.sync().pttl(key);
    assertTrue(ttl > 5_000 && ttl <= 65_000, "expiry is the time kept plus a minute: " + ttl);
  }
}
