package dev.bulwark.detect.redis;

import dev.bulwark.common.internal.redis.RedisCalls;
import dev.bulwark.common.internal.redis.RedisConnection;
import dev.bulwark.common.internal.redis.RedisKeys;
import dev.bulwark.common.internal.redis.RedisScript;
import dev.bulwark.common.internal.redis.RedisSettings;
import dev.bulwark.common.redis.RedisStoreBuilder;
import dev.bulwark.detect.DetectStoreException;
import dev.bulwark.detect.spi.DetectState;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.net.URI;
import java.util.Objects;

/**
 * {@link DetectState} in Redis through Lettuce (an optional dependency: add
 * {@code io.lettuce:lettuce-core} to use this class). Nodes sharing the server share the
 * detectors' picture.
 *
 * <p>Layout: every item is one key, {@code <prefix><name>:{<key>}} (the hash tag keeps the layout
 * valid on Redis Cluster). A window is a string of its event times (epoch milliseconds, at most
 * the cap); a set is a sorted set scored by the time each member was last seen; a record is a
 * string; a counter is a hash of bucket numbers to counts. Recording an event, adding a member, adding to a counter and {@code putIfAbsent} are each one {@code EVALSHA}
 * of a Lua script (sent once with {@code EVAL} after {@code NOSCRIPT}), so they are atomic across
 * any number of nodes: no event or member is lost. Every write sets an expiry of the width (or
 * the retention) plus one minute on Redis's clock; it only bounds memory, since counts are taken
 * on the events' own times.
 *
 * <p>The state owns its Lettuce client and connection ({@link #connect(URI)} or
 * {@link #builder(URI)}, standalone or Redis Cluster); {@link #close()} releases them. Commands are
 * rejected, not queued, while Redis is away, and the connection is re-established in the
 * background every {@code reconnectDelay}.
 *
 * <p>Failures: no answer within {@code timeout}, a lost connection or an error reply is a
 * {@link DetectStoreException}; the detector then assesses the event at its state-failure level.
 *
 * <p>Durability: Redis replicates asynchronously, so a failover can lose recent counts and
 * learned devices; the detectors then start those over (a device may look new again). Use
 * {@code JdbcDetectState} where that is unacceptable.
 *
 * <p>Thread-safe.
 */
public final class RedisDetectState implements DetectState, AutoCloseable {

  /** The default prefix of every key this state writes. */
  public static final String KEY_PREFIX = "bulwark:detect:";

  private static final long GRACE_MILLIS = 60_000;

  /** The most buckets one {@link #addCount} sums (and one {@link #sumCounts} reads field by field). */
  private static final int MAX_SPAN = 4_096;

  static final String WINDOW = String.join("\n",
      "local t = tonumber(ARGV[1])",
      "local w = tonumber(ARGV[2])",
      "local cap = tonumber(ARGV[3])",
      "local times = {}",
      "local newest = t",
      "local stored = redis.call('GET', KEYS[1])",
      "if stored then",
      "  for v in string.gmatch(stored, '[^,]+') do",
      "    local x = tonumber(v)",
      "    times[#times + 1] = x",
      "    if x > newest then newest = x end",
      "  end",
      "end",
      "local kept = {}",
      "for i = 1, #times do",
      "  if times[i] > newest - w then kept[#kept + 1] = times[i] end",
      "end",
      "if ARGV[4] == '1' then",
      "  table.sort(kept)",
      "  while #kept >= cap do table.remove(kept, 1) end",
      "  kept[#kept + 1] = newest",
      "  local parts = {}",
      "  for i = 1, #kept do parts[i] = string.format('%.0f', kept[i]) end",
      "  redis.call('SET', KEYS[1], table.concat(parts, ','), 'PX', ARGV[5])",
      "end",
      "return #kept");

  static final String MEMBER = String.join("\n",
      "local t = tonumber(ARGV[2])",
      "local old = redis.call('ZSCORE', KEYS[1], ARGV[1])",
      "if (not old) or tonumber(old) < t then redis.call('ZADD', KEYS[1], t, ARGV[1]) end",
      "local cap = tonumber(ARGV[4])",
      "local n = redis.call('ZCARD', KEYS[1])",
      "if n > cap then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1) end",
      "redis.call('PEXPIRE', KEYS[1], ARGV[5])",
      "return redis.call('ZCOUNT', KEYS[1], '(' .. string.format('%.0f', t - tonumber(ARGV[3])), '+inf')");

  static final String PUT_IF_ABSENT = String.join("\n",
      "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return ARGV[1] end",
      "local v = redis.call('GET', KEYS[1])",
      "if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end",
      "return v");

  /**
   * A counter is one hash: field = bucket number, value = count, plus field {@code lo}, the oldest
   * bucket kept. Adding increments one field, drops the fields older than the kept range (a long
   * silence sweeps the whole hash once) and returns the sum of the span's fields.
   */
  static final String COUNT = String.join("\n",
      "local b = tonumber(ARGV[1])",
      "redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])",
      "local cut = b - tonumber(ARGV[4])",
      "local lo = tonumber(redis.call('HGET', KEYS[1], 'lo'))",
      "if lo == nil then",
      "  redis.call('HSET', KEYS[1], 'lo', ARGV[1])",
      "elseif lo <= cut then",
      "  if cut - lo > 256 then",
      "    local ks = redis.call('HKEYS', KEYS[1])",
      "    for i = 1, #ks do",
      "      local x = tonumber(ks[i])",
      "      if x and x <= cut then redis.call('HDEL', KEYS[1], ks[i]) end",
      "    end",
      "  else",
      "    for x = lo, cut do redis.call('HDEL', KEYS[1], string.format('%d', x)) end",
      "  end",
      "  redis.call('HSET', KEYS[1], 'lo', string.format('%d', cut + 1))",
      "end",
      "local f = {}",
      "for x = b - tonumber(ARGV[3]) + 1, b do f[#f + 1] = string.format('%d', x) end",
      "local vs = redis.call('HMGET', KEYS[1], unpack(f))",
      "local sum = 0",
      "for i = 1, #vs do if vs[i] then sum = sum + tonumber(vs[i]) end end",
      "redis.call('PEXPIRE', KEYS[1], ARGV[5])",
      "return sum");

  private static final RedisScript WINDOW_SCRIPT = RedisScript.of(WINDOW);
  private static final RedisScript COUNT_SCRIPT = RedisScript.of(COUNT);
  private static final RedisScript MEMBER_SCRIPT = RedisScript.of(MEMBER);
  private static final RedisScript PUT_IF_ABSENT_SCRIPT = RedisScript.of(PUT_IF_ABSENT);

  private final RedisConnection connection;
  private final RedisClusterAsyncCommands<String, String> redis;
  private final RedisCalls calls;
  private final String prefix;

  private RedisDetectState(Builder b) {
    this.prefix = b.prefix;
    this.connection = RedisConnection.open(RedisSettings.of(b), DetectStoreException::new);
    this.redis = connection.commands();
    this.calls = connection.calls("Redis detection state failed");
  }

  /**
   * A state on the Redis server at {@code uri} (e.g. {@code redis://host:6379},
   * {@code rediss://user:password@host:6380/0}), waiting at most 500 ms for each answer.
   *
   * @throws DetectStoreException if Redis cannot be reached now
   * @throws IllegalArgumentException if {@code uri} is not a Redis URI
   */
  public static RedisDetectState connect(URI uri) {
    return builder(uri).build();
  }

  /** A builder for a state on the Redis server (or cluster seed) at {@code uri}. */
  public static Builder builder(URI uri) {
    return new Builder(Objects.requireNonNull(uri, "uri"));
  }

  /**
   * Settings of a {@link RedisDetectState} (see {@link RedisStoreBuilder}). Not thread-safe; build
   * once. A step whose answer does not come within {@code timeout} (default 500 ms) is a
   * {@link DetectStoreException}.
   */
  public static final class Builder extends RedisStoreBuilder<Builder, RedisDetectState> {
    private String prefix = KEY_PREFIX;

    private Builder(URI uri) {
      super(uri);
    }

    /**
     * The prefix of every key (default {@value RedisDetectState#KEY_PREFIX}); give each
     * deployment sharing one Redis its own.
     *
     * @throws IllegalArgumentException if empty, longer than 64 characters or containing braces
     */
    public Builder keyPrefix(String prefix) {
      this.prefix = RedisKeys.checkPrefix(prefix);
      return this;
    }

    /**
     * Connects.
     *
     * @throws DetectStoreException if Redis cannot be reached now
     * @throws IllegalArgumentException if the URI is not a Redis URI
     */
    @Override
    public RedisDetectState build() {
      return new RedisDetectState(this);
    }
  }

  /** The Redis key of the item {@code (name, key)}. */
  public String redisKey(String name, String key) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(key, "key");
    return RedisKeys.hashTagged(prefix + name + ":", key, "");
  }

  @Override
  public int addEvent(String name, String key, long atMillis, long widthMillis, int cap) {
    positive(widthMillis, cap);
    return window(name, key, atMillis, widthMillis, cap, true);
  }

  @Override
  public int countEvents(String name, String key, long atMillis, long widthMillis) {
    if (widthMillis < 1) {
      throw new IllegalArgumentException("width must be positive");
    }
    return window(name, key, atMillis, widthMillis, 1, false);
  }

  private int window(String name, String key, long atMillis, long widthMillis, int cap, boolean add) {
    Object reply = script(WINDOW_SCRIPT, redisKey(name, key), Long.toString(atMillis), Long.toString(widthMillis),
        Integer.toString(cap), add ? "1" : "0", Long.toString(ttl(widthMillis)));
    return asInt(reply);
  }

  @Override
  public int addMember(String name, String key, String member, long atMillis, long widthMillis, int cap) {
    Objects.requireNonNull(member, "member");
    positive(widthMillis, cap);
    return asInt(script(MEMBER_SCRIPT, redisKey(name, key), member, Long.toString(atMillis),
        Long.toString(widthMillis), Integer.toString(cap), Long.toString(ttl(widthMillis))));
  }

  @Override
  public int countMembers(String name, String key, long atMillis, long widthMillis) {
    Long n = await(redis.zcount(redisKey(name, key), io.lettuce.core.Range.create(
        (double) (atMillis - widthMillis), Double.POSITIVE_INFINITY).gt((double) (atMillis - widthMillis))));
    return n == null ? 0 : n.intValue();
  }

  @Override
  public boolean hasMember(String name, String key, String member) {
    Objects.requireNonNull(member, "member");
    return await(redis.zscore(redisKey(name, key), member)) != null;
  }

  @Override
  public void put(String name, String key, String value, long ttlMillis) {
    Objects.requireNonNull(value, "value");
    await(redis.set(redisKey(name, key), value, SetArgs.Builder.px(Math.max(1, ttlMillis) + GRACE_MILLIS)));
  }

  @Override
  public String putIfAbsent(String name, String key, String value, long ttlMillis) {
    Objects.requireNonNull(value, "value");
    Object reply = script(PUT_IF_ABSENT_SCRIPT, ScriptOutputType.VALUE, redisKey(name, key), value,
        Long.toString(Math.max(1, ttlMillis) + GRACE_MILLIS));
    if (reply instanceof String s) {
      return s;
    }
    throw new DetectStoreException("Redis answered an unexpected reply to the record script");
  }

  @Override
  public String get(String name, String key) {
    return await(redis.get(redisKey(name, key)));
  }

  @Override
  public long addCount(String name, String key, long atMillis, long delta, long bucketMillis, int span,
      long keepMillis) {
    if (delta < 1 || bucketMillis < 1 || span < 1 || keepMillis < 1) {
      throw new IllegalArgumentException("delta, bucket width, span and keep must be positive");
    }
    if (span > MAX_SPAN) {
      throw new IllegalArgumentException("span must be at most " + MAX_SPAN + " buckets");
    }
    long bucket = Math.floorDiv(atMillis, bucketMillis);
    long keepBuckets = keepMillis / bucketMillis + span;
    Object reply = script(COUNT_SCRIPT, redisKey(name, key), Long.toString(bucket), Long.toString(delta),
        Integer.toString(span), Long.toString(keepBuckets), Long.toString(ttl(keepMillis)));
    if (reply instanceof Long n) {
      return n;
    }
    throw new DetectStoreException("Redis answered a non-integer to a detection-state script");
  }

  @Override
  public long sumCounts(String name, String key, long fromMillis, long toMillis, long bucketMillis) {
    if (bucketMillis < 1) {
      throw new IllegalArgumentException("bucketMillis must be positive");
    }
    long from = Math.floorDiv(fromMillis, bucketMillis);
    long to = Math.floorDiv(toMillis, bucketMillis);
    if (from > to) {
      return 0;
    }
    String k = redisKey(name, key);
    long sum = 0;
    try {
      if (to - from < MAX_SPAN) {
        String[] fields = new String[(int) (to - from + 1)];
        for (int i = 0; i < fields.length; i++) {
          fields[i] = Long.toString(from + i);
        }
        for (io.lettuce.core.KeyValue<String, String> kv : await(redis.hmget(k, fields))) {
          if (kv.hasValue()) {
            sum += Long.parseLong(kv.getValue());
          }
        }
      } else {
        for (java.util.Map.Entry<String, String> e : await(redis.hgetall(k)).entrySet()) {
          if (!e.getKey().equals("lo")) {
            long b = Long.parseLong(e.getKey());
            if (b >= from && b <= to) {
              sum += Long.parseLong(e.getValue());
            }
          }
        }
      }
    } catch (NumberFormatException e) {
      throw new DetectStoreException("Redis holds an unreadable counter", e);
    }
    return sum;
  }

  private Object script(RedisScript script, String key, String... args) {
    return script(script, ScriptOutputType.INTEGER, key, args);
  }

  private Object script(RedisScript script, ScriptOutputType type, String key, String... args) {
    return calls.eval(script, type, new String[] {key}, args);
  }

  private <T> T await(RedisFuture<T> future) {
    return calls.await(future);
  }

  private static int asInt(Object o) {
    if (o instanceof Long n) {
      return n.intValue();
    }
    throw new DetectStoreException("Redis answered a non-integer to a detection-state script");
  }

  private static long ttl(long widthMillis) {
    return widthMillis > Long.MAX_VALUE - GRACE_MILLIS ? Long.MAX_VALUE : widthMillis + GRACE_MILLIS;
  }

  private static void positive(long widthMillis, int cap) {
    if (cap < 1 || widthMillis < 1) {
      throw new IllegalArgumentException("cap and width must be positive");
    }
  }

  /** Closes the connection and shuts the client down; steps afterwards throw {@link DetectStoreException}. */
  @Override
  public void close() {
    connection.close();
  }

  /** The server (never its credentials) and the key prefix. */
  @Override
  public String toString() {
    return "RedisDetectState[" + connection.where() + ", " + prefix + "]";
  }
}
