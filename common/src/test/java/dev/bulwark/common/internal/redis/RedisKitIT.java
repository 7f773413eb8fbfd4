package dev.bulwark.common.internal.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.common.StoreException;
import dev.bulwark.testing.redis.RedisServer;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis kit on a redis-server of the test's own: scripts survive {@code SCRIPT FLUSH}, and
 * every way a call can fail (an error reply, no answer in time, an interrupted caller, a killed
 * server, no server at all) is the module's store exception with the cause, never the reply text.
 */
class RedisKitIT {

  static final class DemoStoreException extends StoreException {
    private static final long serialVersionUID = 1L;

    DemoStoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final RedisScript INCR = RedisScript.of("return redis.call('INCRBY', KEYS[1], ARGV[1])");

  @TempDir
  Path dir;

  private static RedisConnection open(RedisServer server, Duration timeout) {
    RedisSettings s = new RedisSettings(URI.create(server.uri()));
    s.timeout(timeout);
    s.reconnectDelay(Duration.ofMillis(20));
    return RedisConnection.open(s, DemoStoreException::new);
  }

  @Test
  void aScriptRunsBySha_andIsSentAgainAfterScriptFlush() throws Exception {
    try (RedisServer server = RedisServer.start(dir); RedisConnection c = open(server, Duration.ofSeconds(5))) {
      RedisCalls calls = c.calls("demo failed");
      String[] keys = {RedisKeys.hashTagged("demo:", "k", "")};
      assertEquals(2L, (Long) calls.eval(INCR, ScriptOutputType.INTEGER, keys, "2"));
      assertTrue(calls.<List<Boolean>>await(c.commands().scriptExists(INCR.sha())).get(0), "EVALSHA's fallback cached it");
      assertEquals("OK", calls.await(c.commands().scriptFlush()));
      assertEquals(5L, (Long) calls.eval(INCR, ScriptOutputType.INTEGER, keys, "3"));
      assertEquals("5", calls.await(c.commands().get("demo:{k}")));
      assertEquals("127.0.0.1:" + server.port(), c.where());
    }
  }

  @Test
  void anErrorReply_isTheStoreException_namingOnlyTheCausesType() throws Exception {
    RedisScript broken = RedisScript.of("return redis.error_reply('secret detail')");
    try (RedisServer server = RedisServer.start(dir); RedisConnection c = open(server, Duration.ofSeconds(5))) {
      DemoStoreException e = assertThrows(DemoStoreException.class,
          () -> c.calls("demo failed").eval(broken, ScriptOutputType.INTEGER, new String[] {"demo:{k}"}));
      assertEquals("demo failed: RedisCommandExecutionException", e.getMessage());
      assertInstanceOf(RedisCommandExecutionException.class, e.getCause());
      assertFalse(e.getMessage().contains("secret"));
    }
  }

  @Test
  void noAnswerInTime_andAnInterruptedCaller_areStoreExceptions() throws Exception {
    try (RedisServer server = RedisServer.start(dir); RedisConnection c = open(server, Duration.ofMillis(100))) {
      RedisCalls calls = c.calls("demo failed");
      // BLPOP on an empty list holds this connection's answer for a second: longer than the timeout.
      DemoStoreException late = assertThrows(DemoStoreException.class,
          () -> calls.await(c.commands().blpop(1, "demo:{empty}")));
      assertEquals("Redis did not answer in time", late.getMessage());
      assertInstanceOf(TimeoutException.class, late.getCause());

      Thread.currentThread().interrupt();
      try {
        DemoStoreException interrupted = assertThrows(DemoStoreException.class,
            () -> calls.await(c.commands().get("demo:{k}")));
        assertEquals("interrupted waiting for Redis", interrupted.getMessage());
        assertTrue(Thread.currentThread().isInterrupted(), "the flag is set again");
      } finally {
        Thread.interrupted();
      }
    }
  }

  @Test
  void aKilledServer_failsEveryCall_untilItIsBack() throws Exception {
    try (RedisServer server = RedisServer.start(dir); RedisConnection c = open(server, Duration.ofMillis(500))) {
      RedisCalls calls = c.calls("demo failed");
      String[] keys = {"demo:{k}"};
      assertEquals(1L, (Long) calls.eval(INCR, ScriptOutputType.INTEGER, keys, "1"));
      server.kill();
      DemoStoreException e = assertThrows(DemoStoreException.class,
          () -> calls.eval(INCR, ScriptOutputType.INTEGER, keys, "1"));
      assertTrue(e.getMessage().startsWith("demo failed: ") || e.getMessage().equals("Redis did not answer in time"),
          e.getMessage());
      server.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      Long after = null;
      while (after == null && System.nanoTime() < deadline) {
        try {
          after = calls.eval(INCR, ScriptOutputType.INTEGER, keys, "1");
        } catch (DemoStoreException stillDown) {
          Thread.sleep(20);
        }
      }
      assertEquals(1L, after, "a fresh server without persistence: the script is sent again on a new key");
    }
  }

  @Test
  void noServer_isTheStoreException_atConnect() throws Exception {
    int port;
    try (RedisServer server = RedisServer.start(dir)) {
      port = server.port();
    }
    RedisSettings s = new RedisSettings(URI.create("redis://127.0.0.1:" + port));
    DemoStoreException e = assertThrows(DemoStoreException.class, () -> RedisConnection.open(s, DemoStoreException::new));
    assertTrue(e.getMessage().startsWith("cannot connect to Redis: "), e.getMessage());
    assertTrue(e.getCause() != null);
  }
}
