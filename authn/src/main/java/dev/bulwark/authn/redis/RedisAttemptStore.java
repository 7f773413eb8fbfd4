package dev.bulwark.authn.redis;

import dev.bulwark.authn.AuthnStoreException;
import dev.bulwark.authn.lockout.Attempts;
import dev.bulwark.authn.lockout.LockoutRule;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.common.internal.redis.RedisCalls;
import dev.bulwark.common.internal.redis.RedisKeys;
import dev.bulwark.common.internal.redis.RedisScript;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An {@link AttemptStore} in Redis, through Lettuce (an optional dependency of bulwark-authn: a
 * host that uses this class brings {@code io.lettuce:lettuce-core} itself), for a fleet of nodes
 * that share one lockout.
 *
 * <p>Every operation is one Lua script run with {@code EVALSHA} (sent once with {@code EVAL} after
 * a {@code NOSCRIPT} answer, e.g. after a restart or {@code SCRIPT FLUSH}), so each is atomic on
 * the server: {@link #reserve} decides and counts every key in one step (exact counts, no window
 * between read and write, a refused attempt changes nothing), {@link #recordFailures} and
 * {@link #refund} change all their keys in one step. Times are the ones the caller passes (the
 * {@code Lockout}'s injected clock), stored at millisecond precision, exactly as the
 * {@link AttemptStore} contract defines expiry; Redis's own key expiry only removes a record some
 * time after it has expired by those times (a disabled record never expires).
 *
 * <p>Keys are {@code bulwark:authn:{<namespace>}:<lockout key>}. The hash tag is the namespace, so
 * every key of one store lives in one slot: the multi-key scripts run on Redis Cluster too, and the
 * lockout key's own text (any characters, braces included) cannot move it to another slot.
 *
 * <p><b>Durability.</b> Redis acknowledges a write before it reaches a replica (asynchronous
 * replication) and, with the default persistence, before it reaches the disk: a failover or a
 * restart can lose counts that were acknowledged, which gives an attacker fresh guesses (or lifts
 * a disabled key). Use it where that is acceptable; PostgreSQL ({@code JdbcAttemptStore}) remains
 * the store for counts that must not be lost.
 *
 * <p>Failures of Redis (no answer within the timeout, connection lost, an error reply) are thrown
 * as {@link AuthnStoreException}; a timed-out {@code reserve} may still have been counted.
 * Thread-safe (Lettuce connections are).
 */
public final class RedisAttemptStore implements AttemptStore {

  /** The prefix of every key, before the hash-tagged namespace. */
  public static final String KEY_PREFIX = "bulwark:authn:";

  private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  /** The largest time in milliseconds a Lua number (a double) holds exactly. */
  private static final long MAX_EXACT = (1L << 53) - 1;
  /** How long after its expiry Redis keeps a record (the expiry itself is decided on the caller's time). */
  private static final long TTL_SLACK_MS = 1_000;

  /**
   * One script for every operation (ARGV[1]); a record is the string
   * {@code failures:lastFailureMs:expiresAtMs:disabled(0|1)}.
   */
  static final String SCRIPT = String.join("\n",
      "local op = ARGV[1]",
      "local slack = " + TTL_SLACK_MS,
      "local function load(k)",
      "  local v = redis.call('GET', k)",
      "  if not v then return nil end",
      "  local f, l, e, d = string.match(v, '^(%d+):(%-?%d+):(%-?%d+):([01])$')",
      "  if not f then error('bulwark: malformed lockout record') end",
      "  return {f = tonumber(f), l = tonumber(l), e = tonumber(e), d = (d == '1')}",
      "end",
      "local function fmt(x) return string.format('%.0f', x) end",
      "local function save(k, r, now)",
      "  local v = fmt(r.f) .. ':' .. fmt(r.l) .. ':' .. fmt(r.e) .. ':' .. (r.d and '1' or '0')",
      "  if r.d then",
      "    redis.call('SET', k, v)",
      "  else",
      "    local ttl = r.e - now",
      "    if ttl < 1 then ttl = 1 end",
      "    redis.call('SET', k, v, 'PX', fmt(ttl + slack))",
      "  end",
      "end",
      "local function live(r, now) return r ~= nil and (r.d or r.e > now) end",
      "local function failure(k, at, exp, disableAt)",
      "  local r = load(k)",
      "  local n = 1",
      "  if live(r, at) then n = r.f + 1 end",
      "  local d = (r ~= nil and r.d) or n >= disableAt",
      "  local out = {f = n, l = at, e = exp, d = d}",
      "  save(k, out, at)",
      "  return out",
      "end",
      "local function admits(r, at, free, initial, max)",
      "  if not live(r, at) then return true end",
      "  if r.d then return false end",
      "  if r.f <= free then return true end",
      "  local doublings = r.f - free - 1",
      "  if doublings > 1000 then doublings = 1000 end",
      "  local wait = initial * (2 ^ doublings)",
      "  if wait > max then wait = max end",
      "  return at - r.l >= wait",
      "end",
      "local out = {}",
      "if op == 'get' then",
      "  local now = tonumber(ARGV[2])",
      "  for i = 1, #KEYS do",
      "    local r = load(KEYS[i])",
      "    if r == nil or (not r.d and (r.e <= now or r.f == 0)) then",
      "      out[#out + 1] = 0; out[#out + 1] = 0; out[#out + 1] = 0",
      "    else",
      "      out[#out + 1] = r.f; out[#out + 1] = r.l; out[#out + 1] = r.d and 1 or 0",
      "    end",
      "  end",
      "elseif op == 'record' then",
      "  for i = 1, #KEYS do",
      "    local b = 1 + (i - 1) * 3",
      "    local r = failure(KEYS[i], tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]))",
      "    out[#out + 1] = r.f; out[#out + 1] = r.l; out[#out + 1] = r.d and 1 or 0",
      "  end",
      "elseif op == 'reserve' then",
      "  local ok = true",
      "  local before = {}",
      "  for i = 1, #KEYS do",
      "    local b = 1 + (i - 1) * 6",
      "    local at = tonumber(ARGV[b + 1])",
      "    local r = load(KEYS[i])",
      "    before[i] = r",
      "    if not admits(r, at, tonumber(ARGV[b + 4]), tonumber(ARGV[b + 5]), tonumber(ARGV[b + 6])) then ok = false end",
      "  end",
      "  out[1] = ok and 1 or 0",
      "  for i = 1, #KEYS do",
      "    local b = 1 + (i - 1) * 6",
      "    local at = tonumber(ARGV[b + 1])",
      "    if ok then",
      "      local r = failure(KEYS[i], at, tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]))",
      "      out[#out + 1] = r.f; out[#out + 1] = r.l; out[#out + 1] = r.d and 1 or 0",
      "    else",
      "      local r = before[i]",
      "      if live(r, at) and (r.d or r.f > 0) then",
      "        out[#out + 1] = r.f; out[#out + 1] = r.l; out[#out + 1] = r.d and 1 or 0",
      "      else",
      "        out[#out + 1] = 0; out[#out + 1] = 0; out[#out + 1] = 0",
      "      end",
      "    end",
      "  end",
      "elseif op == 'refund' then",
      "  for i = 1, #KEYS do",
      "    local b = 1 + (i - 1) * 2",
      "    local r = load(KEYS[i])",
      "    if r ~= nil and r.f > 0 then",
      "      r.f = r.f - 1",
      "      r.d = r.d and r.f >= tonumber(ARGV[b + 2])",
      "      if r.f == 0 and not r.d then",
      "        redis.call('DEL', KEYS[i])",
      "      else",
      "        save(KEYS[i], r, tonumber(ARGV[b + 1]))",
      "      end",
      "    end",
      "  end",
      "elseif op == 'reset' then",
      "  redis.call('DEL', KEYS[1])",
      "else",
      "  return redis.error_reply('bulwark: unknown lockout operation')",
      "end",
      "return out");

  private static final RedisScript LOCKOUT = RedisScript.of(SCRIPT);

  private final RedisCalls calls;
  private final String prefix;

  private RedisAttemptStore(RedisScriptingAsyncCommands<String, String> redis, String namespace, Duration timeout) {
    Objects.requireNonNull(redis, "redis");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(timeout, "timeout");
    if (!NAMESPACE.matcher(namespace).matches()) {
      throw new IllegalArgumentException("namespace must be 1-64 characters of [A-Za-z0-9._-]");
    }
    this.calls = RedisCalls.of(redis, timeout, "Redis could not run the lockout script", AuthnStoreException::new);
    this.prefix = RedisKeys.hashTagged(KEY_PREFIX, namespace, ":");
  }

  /**
   * A store in the namespace {@code lockout} that waits at most one second for Redis. Takes any
   * {@code RedisScriptingAsyncCommands}: a standalone connection's {@code async()} or a cluster
   * connection's.
   */
  public static RedisAttemptStore create(RedisScriptingAsyncCommands<String, String> redis) {
    return new RedisAttemptStore(redis, "lockout", Duration.ofSeconds(1));
  }

  /**
   * A store whose keys are tagged with {@code namespace} (1-64 characters of
   * {@code [A-Za-z0-9._-]}; stores in different namespaces never share a count) and that waits at
   * most {@code timeout} (up to a minute) for each answer.
   *
   * @throws IllegalArgumentException if the namespace or the timeout is out of range
   */
  public static RedisAttemptStore create(RedisScriptingAsyncCommands<String, String> redis, String namespace,
      Duration timeout) {
    return new RedisAttemptStore(redis, namespace, timeout);
  }

  /** The Redis key that holds {@code key}'s record in {@code namespace}. */
  public static String redisKey(String namespace, String key) {
    return RedisKeys.hashTagged(KEY_PREFIX, namespace, ":" + Objects.requireNonNull(key, "key"));
  }

  @Override
  public Attempts get(String key, Instant now) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(now, "now");
    return getAll(List.of(key), now).get(key);
  }

  @Override
  public Map<String, Attempts> getAll(Collection<String> keys, Instant now) {
    Objects.requireNonNull(now, "now");
    List<String> list = new ArrayList<>(new java.util.LinkedHashSet<>(keys));
    Map<String, Attempts> out = new LinkedHashMap<>();
    if (list.isEmpty()) {
      return out;
    }
    List<Long> reply = run(redisKeys(list), new String[] {"get", millis(now)}, 3 * list.size());
    for (int i = 0; i < list.size(); i++) {
      out.put(list.get(i), attempts(reply, i));
    }
    return out;
  }

  @Override
  public Attempts recordFailure(String key, Instant now, Instant expiresAt, long disableAt) {
    return recordFailures(List.of(new Failure(Objects.requireNonNull(key, "key"), now, expiresAt, disableAt))).get(0);
  }

  @Override
  public List<Attempts> recordFailures(List<Failure> failures) {
    List<Failure> list = List.copyOf(failures);
    if (list.isEmpty()) {
      return List.of();
    }
    distinct(list.stream().map(Failure::key).toList());
    String[] args = new String[1 + 3 * list.size()];
    args[0] = "record";
    List<String> keys = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      Failure f = list.get(i);
      keys.add(f.key());
      args[1 + 3 * i] = millis(f.at());
      args[2 + 3 * i] = millis(f.expiresAt());
      args[3 + 3 * i] = Long.toString(f.disableAt());
    }
    List<Long> reply = run(redisKeys(keys), args, 3 * list.size());
    List<Attempts> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      out.add(attempts(reply, i));
    }
    return out;
  }

  /**
   * Decides and counts every key in one script: admitted only if each key's rule admits the
   * attempt against its record at that moment (the rule's waits rounded up to whole
   * milliseconds, so never more lenient than {@link LockoutRule#admits}); a refusal changes no
   * record.
   */
  @Override
  public Admission reserve(List<Reservation> reservations) {
    List<Reservation> list = List.copyOf(reservations);
    if (list.isEmpty()) {
      return new Admission(true, List.of());
    }
    List<String> keys = list.stream().map(Reservation::key).toList();
    distinct(keys);
    String[] args = new String[1 + 6 * list.size()];
    args[0] = "reserve";
    for (int i = 0; i < list.size(); i++) {
      Reservation r = list.get(i);
      LockoutRule rule = r.rule();
      args[1 + 6 * i] = millis(r.at());
      args[2 + 6 * i] = millis(r.expiresAt());
      args[3 + 6 * i] = Long.toString(rule.disableAt());
      args[4 + 6 * i] = Integer.toString(rule.freeFailures());
      args[5 + 6 * i] = Long.toString(ceilMillis(rule.initialDelay()));
      args[6 + 6 * i] = Long.toString(ceilMillis(rule.maxDelay()));
    }
    List<Long> reply = run(redisKeys(keys), args, 1 + 3 * list.size());
    List<Attempts> records = new ArrayList<>(list.size());
    List<Long> rest = reply.subList(1, reply.size());
    for (int i = 0; i < list.size(); i++) {
      records.add(attempts(rest, i));
    }
    return new Admission(reply.get(0) == 1L, records);
  }

  /**
   * One count less on each key (never below zero), re-enabling a key this drops below its
   * {@code disableAt}, in one script; a record whose count reaches zero is deleted (it read as no
   * record anyway).
   */
  @Override
  public void refund(List<Reservation> reservations) {
    List<Reservation> list = List.copyOf(reservations);
    if (list.isEmpty()) {
      return;
    }
    List<String> keys = list.stream().map(Reservation::key).toList();
    distinct(keys);
    String[] args = new String[1 + 2 * list.size()];
    args[0] = "refund";
    for (int i = 0; i < list.size(); i++) {
      args[1 + 2 * i] = millis(list.get(i).at());
      args[2 + 2 * i] = Long.toString(list.get(i).rule().disableAt());
    }
    run(redisKeys(keys), args, 0);
  }

  @Override
  public void reset(String key) {
    run(redisKeys(List.of(Objects.requireNonNull(key, "key"))), new String[] {"reset"}, 0);
  }

  private String[] redisKeys(List<String> keys) {
    String[] out = new String[keys.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = prefix + keys.get(i);
    }
    return out;
  }

  private static void distinct(List<String> keys) {
    Set<String> seen = new HashSet<>();
    for (String k : keys) {
      if (!seen.add(Objects.requireNonNull(k, "key"))) {
        throw new IllegalArgumentException("the keys of one call must be distinct");
      }
    }
  }

  private static Attempts attempts(List<Long> reply, int i) {
    long failures = reply.get(3 * i);
    boolean disabled = reply.get(3 * i + 2) == 1L;
    if (failures == 0 && !disabled) {
      return Attempts.NONE;
    }
    return new Attempts(failures, Instant.ofEpochMilli(reply.get(3 * i + 1)), disabled);
  }

  /** Milliseconds since the epoch, clamped to what a Lua number holds exactly. */
  private static String millis(Instant t) {
    Objects.requireNonNull(t, "instant");
    long ms;
    try {
      ms = t.toEpochMilli();
    } catch (ArithmeticException e) {
      ms = t.isBefore(Instant.EPOCH) ? -MAX_EXACT : MAX_EXACT;
    }
    return Long.toString(Math.max(-MAX_EXACT, Math.min(MAX_EXACT, ms)));
  }

  private static long ceilMillis(Duration d) {
    try {
      long ms = d.toMillis();
      return Math.min(MAX_EXACT, d.minusMillis(ms).isZero() ? ms : ms + 1);
    } catch (ArithmeticException e) {
      return MAX_EXACT;
    }
  }

  private List<Long> run(String[] keys, String[] args, int expected) {
    List<Object> reply = calls.eval(LOCKOUT, ScriptOutputType.MULTI, keys, args);
    if (reply == null || reply.size() != expected) {
      throw new AuthnStoreException("Redis answered an unexpected reply to the lockout script");
    }
    List<Long> out = new ArrayList<>(reply.size());
    for (Object o : reply) {
      if (!(o instanceof Long)) {
        throw new AuthnStoreException("Redis answered a non-integer in the lockout reply");
      }
      out.add((Long) o);
    }
    return out;
  }

  @Override
  public String toString() {
    return "RedisAttemptStore[" + prefix + "]";
  }
}
