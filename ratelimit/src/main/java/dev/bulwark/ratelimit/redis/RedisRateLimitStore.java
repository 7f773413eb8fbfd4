package dev.bulwark.ratelimit.redis;

import dev.bulwark.common.internal.redis.RedisCalls;
import dev.bulwark.common.internal.redis.RedisConnection;
import dev.bulwark.common.internal.redis.RedisKeys;
import dev.bulwark.common.internal.redis.RedisScript;
import dev.bulwark.common.internal.redis.RedisSettings;
import dev.bulwark.common.redis.RedisStoreBuilder;
import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.RateLimitStoreException;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.ratelimit.spi.Step;
import io.lettuce.core.ScriptOutputType;
import java.net.URI;
import java.util.List;
import java.util.Objects;

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
 * <p>The store owns its Lettuce client and connection ({@link #connect(URI)} or
 * {@link #builder(URI)}, standalone or Redis Cluster); {@link #close()} releases them. Commands
 * are rejected, not queued, while Redis is away (a queued decision would take units when Redis is
 * back), and the connection is re-established in the background every {@code reconnectDelay}.
 *
 * <p>Failures: no answer within {@code timeout}, a lost connection or an error reply is a
 * {@link RateLimitStoreException}; the limiter decides under its failure policy.
 *
 * <p>Durability: Redis replicates asynchronously and persists on its own schedule, so a failover
 * or restart can lose recent decisions, and keys then start again with a full burst. Use the
 * PostgreSQL store for limits where that is unacceptable.
 *
 * <p>Thread-safe.
 */
public final class RedisRateLimitStore implements RateLimitStore, AutoCloseable {

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

  private static final RedisScript STEP = RedisScript.of(SCRIPT);

  private final RedisConnection connection;
  private final RedisCalls calls;

  private RedisRateLimitStore(Builder b) {
    this.connection = RedisConnection.open(RedisSettings.of(b), RateLimitStoreException::new);
    this.calls = connection.calls("Redis could not decide");
  }

  /**
   * A store connected to the Redis server at {@code uri} (e.g. {@code redis://host:6379},
   * {@code rediss://user:password@host:6380/0}), waiting at most 500 ms for each answer.
   *
   * @throws RateLimitStoreException if Redis cannot be reached now
   * @throws IllegalArgumentException if {@code uri} is not a Redis URI
   */
  public static RedisRateLimitStore connect(URI uri) {
    return builder(uri).build();
  }

  /** A builder for a store on the Redis server (or cluster seed) at {@code uri}. */
  public static Builder builder(URI uri) {
    return new Builder(Objects.requireNonNull(uri, "uri"));
  }

  /**
   * Settings of a {@link RedisRateLimitStore} (see {@link RedisStoreBuilder}). Not thread-safe;
   * build once. A decision whose answer does not come within {@code timeout} (default 500 ms) is
   * {@code STORE_UNAVAILABLE}, as are decisions while a lost connection is tried again every
   * {@code reconnectDelay} (default 100 ms).
   */
  public static final class Builder extends RedisStoreBuilder<Builder, RedisRateLimitStore> {
    private Builder(URI uri) {
      super(uri);
    }

    /**
     * Connects.
     *
     * @throws RateLimitStoreException if Redis cannot be reached now
     * @throws IllegalArgumentException if the URI is not a Redis URI
     */
    @Override
    public RedisRateLimitStore build() {
      return new RedisRateLimitStore(this);
    }
  }

  /** The Redis key a limiter-qualified key is stored under. */
  public static String redisKey(String key) {
    return RedisKeys.hashTagged(KEY_PREFIX, key, "");
  }

  @Override
  public Step acquire(String key, List<Quota> quotas, long cost) {
    String[] keys = {redisKey(Objects.requireNonNull(key, "key"))};
    String[] args = new String[1 + 2 * quotas.size()];
    args[0] = Long.toString(cost);
    for (int i = 0; i < quotas.size(); i++) {
      args[1 + 2 * i] = Long.toString(quotas.get(i).intervalMicros());
      args[2 + 2 * i] = Long.toString(quotas.get(i).toleranceMicros());
    }
    List<Object> reply = calls.eval(STEP, ScriptOutputType.MULTI, keys, args);
    if (reply == null || reply.size() != 2 + quotas.size()) {
      throw new RateLimitStoreException("Redis answered an unexpected reply to the rate-limit script");
    }
    long[] tats = new long[quotas.size()];
    for (int i = 0; i < tats.length; i++) {
      tats[i] = asLong(reply.get(2 + i));
    }
    return Step.of(asLong(reply.get(0)) == 1, asLong(reply.get(1)), tats);
  }

  private static long asLong(Object o) {
    if (o instanceof Long) {
      return (Long) o;
    }
    throw new RateLimitStoreException("Redis answered a non-integer in the rate-limit reply");
  }

  /** Closes the connection and shuts the client down; decisions afterwards are {@code STORE_UNAVAILABLE}. */
  @Override
  public void close() {
    connection.close();
  }

  /** The server (never its credentials) and the key prefix. */
  @Override
  public String toString() {
    return "RedisRateLimitStore[" + connection.where() + ", " + KEY_PREFIX + "]";
  }
}
