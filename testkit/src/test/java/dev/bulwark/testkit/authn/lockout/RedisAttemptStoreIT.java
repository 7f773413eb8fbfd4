package dev.bulwark.testkit.authn.lockout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.lockout.Attempts;
import dev.bulwark.authn.lockout.LockoutRule;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.redis.RedisAttemptStore;
import dev.bulwark.testing.FakeClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RedisAttemptStore} on the Redis at 127.0.0.1:6379 ({@code bulwark.redis.uri} to change
 * it): the contract, then two nodes (two connections) hammering shared keys, the {@code NOSCRIPT}
 * fallback, the hash-tagged key layout, and whole login steps on two nodes
 * ({@link ParallelWrongPasswords}). Every store works in a
 * namespace of its own (random), so parallel runs never share a key; the keys are deleted at the end.
 */
class RedisAttemptStoreIT extends AttemptStoreContract {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String RUN = "it-" + randomHex();

  private static RedisClient client;
  private static StatefulRedisConnection<String, String> nodeA;
  private static StatefulRedisConnection<String, String> nodeB;
  private static int namespaces;

  @BeforeAll
  static void redis() {
    client = RedisClient.create(System.getProperty("bulwark.redis.uri", "redis://127.0.0.1:6379"));
    nodeA = client.connect();
    nodeB = client.connect();
  }

  @AfterAll
  static void cleanUp() {
    ScanIterator<String> keys = ScanIterator.scan(nodeA.sync(),
        ScanArgs.Builder.matches(RedisAttemptStore.KEY_PREFIX + "{" + RUN + "*").limit(500));
    while (keys.hasNext()) {
      nodeA.sync().del(keys.next());
    }
    nodeA.close();
    nodeB.close();
    client.shutdown();
  }

  private static String randomHex() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static synchronized String namespace() {
    return RUN + "-" + (++namespaces);
  }

  @Override
  protected int concurrencyThreads() {
    return 16;
  }

  @Override
  protected AttemptStore createStore(FakeClock clock) {
    return RedisAttemptStore.create(nodeA.async(), namespace(), Duration.ofSeconds(5));
  }

  @Test
  void twoNodes_manyThreads_countEveryFailureExactlyOnce() throws Exception {
    String ns = namespace();
    AttemptStore a = RedisAttemptStore.create(nodeA.async(), ns, Duration.ofSeconds(5));
    AttemptStore b = RedisAttemptStore.create(nodeB.async(), ns, Duration.ofSeconds(5));
    int threads = 16;
    int perThread = 200;
    List<String> keys = List.of("a:alice", "f:password:alice", "s:198.51.100.7");
    Instant now = clock.instant();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        AttemptStore node = t % 2 == 0 ? a : b;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            List<AttemptStore.Failure> failures = new ArrayList<>();
            for (String k : keys) {
              failures.add(new AttemptStore.Failure(k, now, now.plus(Duration.ofHours(1)), Long.MAX_VALUE));
            }
            node.recordFailures(failures);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (String k : keys) {
      assertEquals((long) threads * perThread, a.get(k, now).failures(), k + ": every failure counted exactly once");
    }
  }

  @Test
  void twoNodes_parallelReservations_admitExactlyWhatTheRuleAllows_andRefundsGiveBack() throws Exception {
    String ns = namespace();
    AttemptStore a = RedisAttemptStore.create(nodeA.async(), ns, Duration.ofSeconds(5));
    AttemptStore b = RedisAttemptStore.create(nodeB.async(), ns, Duration.ofSeconds(5));
    LockoutRule rule = new LockoutRule(5, Duration.ofSeconds(1), Duration.ofMinutes(15), 0, Duration.ofHours(1));
    Instant now = clock.instant();
    int threads = 64;
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    long admitted = 0;
    try {
      List<Future<Boolean>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        AttemptStore node = t % 2 == 0 ? a : b;
        futures.add(pool.submit(() -> {
          start.await();
          return node.reserve(List.of(new AttemptStore.Reservation("a:victim", now, now.plus(Duration.ofHours(1)), rule),
              new AttemptStore.Reservation("f:password:victim", now, now.plus(Duration.ofHours(1)), rule))).admitted();
        }));
      }
      start.countDown();
      for (Future<Boolean> f : futures) {
        admitted += f.get(120, TimeUnit.SECONDS) ? 1 : 0;
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(6, admitted, "5 free failures and the first one that starts the wait, from 64 parallel attempts");
    assertEquals(6, a.get("a:victim", now).failures(), "exactly the admitted attempts are counted");
    a.refund(List.of(new AttemptStore.Reservation("a:victim", now, now.plus(Duration.ofHours(1)), rule)));
    assertEquals(5, b.get("a:victim", now).failures());
  }

  @Test
  void scriptFlushed_isSentAgain_andCountsOn() {
    Instant now = clock.instant();
    store.recordFailure("flush", now, now.plus(Duration.ofHours(1)), Long.MAX_VALUE);
    nodeA.sync().scriptFlush();
    assertEquals(2, store.recordFailure("flush", now, now.plus(Duration.ofHours(1)), Long.MAX_VALUE).failures());
  }

  @Test
  void keys_carryTheNamespaceAsHashTag_andExpireAfterTheirRecord_butDisabledOnesNever() {
    String ns = namespace();
    AttemptStore s = RedisAttemptStore.create(nodeA.async(), ns, Duration.ofSeconds(5));
    Instant now = clock.instant();
    s.recordFailure("a:{other}tag", now, now.plus(Duration.ofMinutes(1)), Long.MAX_VALUE);
    String redisKey = RedisAttemptStore.redisKey(ns, "a:{other}tag");
    assertTrue(redisKey.startsWith(RedisAttemptStore.KEY_PREFIX + "{" + ns + "}:"), redisKey);
    long pttl = nodeA.sync().pttl(redisKey);
    assertTrue(pttl > 59_000 && pttl <= 61_000, "kept one minute after the failure (+1 s), was " + pttl + " ms");
    s.recordFailure("a:disabled", now, now.plus(Duration.ofMinutes(1)), 1);
    assertEquals(-1L, nodeA.sync().pttl(RedisAttemptStore.redisKey(ns, "a:disabled")), "a disabled record never expires");
    nodeA.sync().set(RedisAttemptStore.redisKey(ns, "a:broken"), "not a record");
    assertThrows(dev.bulwark.authn.AuthnStoreException.class, () -> s.get("a:broken", now), "a malformed record is an error, never NONE");
    assertEquals("not a record", nodeA.sync().get(RedisAttemptStore.redisKey(ns, "a:broken")), "and it is left as it was");
  }

  @Test
  void badArguments_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> RedisAttemptStore.create(nodeA.async(), "has{brace}", Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> RedisAttemptStore.create(nodeA.async(), "ok", Duration.ZERO));
    Instant now = clock.instant();
    assertThrows(IllegalArgumentException.class, () -> store.recordFailures(List.of(
        new AttemptStore.Failure("k", now, now.plusSeconds(60), 5), new AttemptStore.Failure("k", now, now.plusSeconds(60), 5))));
    assertEquals(Attempts.NONE, store.get("k", now), "nothing was counted");
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 64})
  void parallelWrongPasswords_onTwoNodes_checkAtMostTheAllowedNumberOfPasswords(int threads) throws Exception {
    String ns = namespace();
    ParallelWrongPasswords.checkAtMostTheAllowedNumberOfPasswords(threads, clock,
        RedisAttemptStore.create(nodeA.async(), ns, Duration.ofSeconds(5)),
        RedisAttemptStore.create(nodeB.async(), ns, Duration.ofSeconds(5)),
        RedisAttemptStore.create(nodeA.async(), ns, Duration.ofSeconds(5)));
  }
}
