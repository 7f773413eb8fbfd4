package dev.bulwark.common.internal.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * One store's calls to Redis, each bounded by the store's timeout, and every way they can fail
 * turned into the module's {@code <Module>StoreException}.
 *
 * <p>{@link #eval} runs a script with {@code EVALSHA}; when Redis answers {@code NOSCRIPT}
 * (restarted, failed over, {@code SCRIPT FLUSH}) it sends it once with {@code EVAL}, which also
 * caches it again, within the same deadline. {@link #await} waits for any other command the store
 * sent itself. No answer within the timeout, an interruption (the thread's flag is set again), a
 * lost or refused connection and an error reply are each a store exception with the cause
 * attached; its message names what failed and the cause's type, never a key, an argument or the
 * reply's text.
 *
 * <p>Thread-safe (Lettuce's commands are).
 */
public final class RedisCalls {

  private final RedisScriptingAsyncCommands<String, String> redis;
  private final long timeoutNanos;
  private final String failed;
  private final BiFunction<String, Throwable, ? extends RuntimeException> failure;

  private RedisCalls(RedisScriptingAsyncCommands<String, String> redis, Duration timeout, String failed,
      BiFunction<String, Throwable, ? extends RuntimeException> failure) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.timeoutNanos = RedisSettings.checkTimeout(timeout).toNanos();
    this.failed = Objects.requireNonNull(failed, "failed");
    this.failure = Objects.requireNonNull(failure, "failure");
  }

  /**
   * Calls on {@code redis} (a standalone or a cluster connection's async commands).
   *
   * @param failed what a failed call could not do, e.g. {@code "Redis could not decide"}; the
   *     message of an error reply or lost connection is this, a colon and the cause's type
   * @param failure the module's store exception for a message and a cause
   * @throws IllegalArgumentException unless {@code timeout} is between 1 ns and 1 minute
   */
  public static RedisCalls of(RedisScriptingAsyncCommands<String, String> redis, Duration timeout, String failed,
      BiFunction<String, Throwable, ? extends RuntimeException> failure) {
    return new RedisCalls(redis, timeout, failed, failure);
  }

  /**
   * Runs {@code script} on {@code keys} and {@code args}: {@code EVALSHA}, then {@code EVAL} once
   * after {@code NOSCRIPT}, both within one timeout.
   *
   * @return the reply as Lettuce decodes {@code type}
   */
  public <T> T eval(RedisScript script, ScriptOutputType type, String[] keys, String... args) {
    long deadline = System.nanoTime() + timeoutNanos;
    try {
      return get(redis.<T>evalsha(script.sha(), type, keys, args), deadline);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof RedisNoScriptException)) {
        throw failed(e.getCause());
      }
      try {
        return get(redis.<T>eval(script.text(), type, keys, args), deadline);
      } catch (ExecutionException again) {
        throw failed(again.getCause());
      }
    }
  }

  /** Waits, at most the timeout, for a command the store sent itself. */
  public <T> T await(RedisFuture<T> future) {
    try {
      return get(future, System.nanoTime() + timeoutNanos);
    } catch (ExecutionException e) {
      throw failed(e.getCause());
    }
  }

  private <T> T get(RedisFuture<T> future, long deadline) throws ExecutionException {
    try {
      return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(false);
      throw failure.apply("Redis did not answer in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(false);
      throw failure.apply("interrupted waiting for Redis", e);
    }
  }

  private RuntimeException failed(Throwable cause) {
    return failure.apply(failed + ": " + cause.getClass().getSimpleName(), cause);
  }

  @Override
  public String toString() {
    return "RedisCalls[" + Duration.ofNanos(timeoutNanos) + "]";
  }
}
