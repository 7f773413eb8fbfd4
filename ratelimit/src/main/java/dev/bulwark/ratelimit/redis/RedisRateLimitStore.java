package dev.bulwark.ratelimit.redis;

import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.ratelimit.spi.Step;
import dev.bulwark.ratelimit.spi.StoreUnavailableException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link RateLimitStore} in Redis through Lettuce (an optional dependency: add
 * {@code io.lettuce:lettuce-core} to use this class).
 *
 * <p>Each decision is one {@code EVALSHA} of a Lua script that reads the key's arrival times,
 * applies the GCRA step on Redis's own clock ({@code TIME}) and writes them back with an expiry at
 * the moment the key equals a fresh one. Scripts run atomically in Redis, so concurrent decisions
 * from any number of nodes never over-admit and nothing is retried. If Redis answers
 * {@code NOSCRIPT} (restarted, failed over, {@code SCRIPT FLUSH}) the script is sent once with
 * {@code EVAL}, which also caches it again. Keys are {@code bulwark:rl:{<limiter>|<key>}}: the
 * script touches one key, and the hash tag keeps the layout valid on Redis Cluster.
 *
 * <p>Failures: no answer within {@code timeout}, a lost connection or an error reply is a
 * {@link StoreUnavailableException}; the limiter decides under its failure policy. Configure the
 * Lettuce client with {@code ClientOptions.disconnectedBehavior(REJECT_COMMANDS)} so commands are
 * not queued while Redis is away (a queued decision would take units when Redis is back).
 *
 * <p>Durability: Redis replicates asynchronously and persists on its own schedule, so a failover
 * or restart can lose recent decisions, and keys then start again with a full burst. Use the
 * PostgreSQL store for limits where that is unacceptable.
 *
 * <p>Thread-safe: Lettuce's connections are.
 */
public final class RedisRateLimitStore implements RateLimitStore {

  /** Prefix of every key this store writes. */
  public static final String KEY_PREFIX = "bulwark:rl:";

  static final String SCRIPT = String.join("\n",
      "local t = redis.call('TIME')",
      "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])",
      "local cost = tonumber(ARGV[1])",
      "local n = (#ARGV - 1) / 2",
      "local old = {}",
      "local stored = redis.call('GET', KEYS[1])",
      "if stored then",
      "  local i = 0",
      "  for v in string.gmatch(stored, '[^,]+') do i = i + 1; old[i] = tonumber(v) end",
      "  if i ~= n then old = {} end",
      "end",
      "local nxt = {}",
      "local ok = true",
      "for i = 1, n do",
      "  local base = old[i] or now",
      "  if base < now then base = now end",
      "  nxt[i] = base + cost * tonumber(ARGV[2 * i])",
      "  if nxt[i] - now > tonumber(ARGV[2 * i + 1]) then ok = false end",
      "end",
      "local out = {0, now}",
      "if ok then",
      "  out[1] = 1",
      "  local parts = {}",
      "  local ttl = 0",
      "  for i = 1, n do",
      "    parts[i] = string.format('%.0f', nxt[i])",
      "    if nxt[i] - now > ttl then ttl = nxt[i] - now end",
      "    out[i + 2] = nxt[i]",
      "  end",
      "  redis.call('SET', KEYS[1], table.concat(parts, ','), 'PX', math.floor(ttl / 1000) + 1)",
      "else",
      "  for i = 1, n do",
      "    local b = old[i] or now",
      "    if b < now then b = now end",
      "    out[i + 2] = b",
      "  end",
      "end",
      "return out");

  private static final String SHA = sha1Hex(SCRIPT);

  private final RedisScriptingAsyncCommands<String, String> redis;
  private final long timeoutNanos;

  private RedisRateLimitStore(RedisScriptingAsyncCommands<String, String> redis, Duration timeout) {
    this.redis = Objects.requireNonNull(redis, "redis");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("timeout must be between 1 ns and 1 minute");
    }
    this.timeoutNanos = timeout.toNanos();
  }

  /**
   * A store over {@code redis}, e.g. {@code client.connect().async()} or a cluster connection's
   * {@code async()}, waiting at most 500 ms for each answer.
   */
  public static RedisRateLimitStore create(RedisScriptingAsyncCommands<String, String> redis) {
    return new RedisRateLimitStore(redis, Duration.ofMillis(500));
  }

  /** A store that waits at most {@code timeout} for each answer. */
  public static RedisRateLimitStore create(RedisScriptingAsyncCommands<String, String> redis, Duration timeout) {
    return new RedisRateLimitStore(redis, timeout);
  }

  /** The Redis key a limiter-qualified key is stored under. */
  public static String redisKey(String key) {
    return KEY_PREFIX + "{" + key + "}";
  }

  @Override
  public Step acquire(String key, List<Quota> quotas, long cost) throws StoreUnavailableException {
    String[] keys = {redisKey(Objects.requireNonNull(key, "key"))};
    String[] args = new String[1 + 2 * quotas.size()];
    args[0] = Long.toString(cost);
    for (int i = 0; i < quotas.size(); i++) {
      args[1 + 2 * i] = Long.toString(quotas.get(i).intervalMicros());
      args[2 + 2 * i] = Long.toString(quotas.get(i).toleranceMicros());
    }
    long deadline = System.nanoTime() + timeoutNanos;
    List<Object> reply;
    try {
      reply = await(redis.evalsha(SHA, ScriptOutputType.MULTI, keys, args), deadline);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof RedisNoScriptException)) {
        throw unavailable(e.getCause());
      }
      try {
        reply = await(redis.eval(SCRIPT, ScriptOutputType.MULTI, keys, args), deadline);
      } catch (ExecutionException again) {
        throw unavailable(again.getCause());
      }
    }
    if (reply == null || reply.size() != 2 + quotas.size()) {
      throw new StoreUnavailableException("Redis answered an unexpected reply to the rate-limit script");
    }
    long[] tats = new long[quotas.size()];
    for (int i = 0; i < tats.length; i++) {
      tats[i] = asLong(reply.get(2 + i));
    }
    return Step.of(asLong(reply.get(0)) == 1, asLong(reply.get(1)), tats);
  }

  private static List<Object> await(RedisFuture<List<Object>> future, long deadline)
      throws ExecutionException, StoreUnavailableException {
    try {
      return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(false);
      throw new StoreUnavailableException("Redis did not answer in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(false);
      throw new StoreUnavailableException("interrupted waiting for Redis", e);
    }
  }

  private static StoreUnavailableException unavailable(Throwable cause) {
    return new StoreUnavailableException("Redis could not decide: " + cause.getClass().getSimpleName(), cause);
  }

  private static long asLong(Object o) throws StoreUnavailableException {
    if (o instanceof Long) {
      return (Long) o;
    }
    throw new StoreUnavailableException("Redis answered a non-integer in the rate-limit reply");
  }

  private static String sha1Hex(String script) {
    try {
      // SHA-1 here is Redis's script cache identifier (EVALSHA), not a security function.
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "RedisRateLimitStore[" + KEY_PREFIX + "]";
  }
}
