package dev.bulwark.common.internal.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The Lettuce client and connection a module's Redis store owns: standalone or Redis Cluster, with
 * its own client resources. Commands are rejected, not queued, while Redis is away (a queued
 * command would act when Redis is back, long after its caller gave up), and the connection is
 * re-established in the background every {@code reconnectDelay}. {@link #close()} closes the
 * connection and shuts the client and its resources down.
 *
 * <p>Thread-safe.
 */
public final class RedisConnection implements AutoCloseable {

  private final RedisClusterAsyncCommands<String, String> commands;
  private final AutoCloseable resources;
  private final String where;
  private final Duration timeout;
  private final BiFunction<String, Throwable, ? extends RuntimeException> failure;

  private RedisConnection(RedisSettings settings, BiFunction<String, Throwable, ? extends RuntimeException> failure) {
    this.failure = Objects.requireNonNull(failure, "failure");
    this.timeout = settings.timeout();
    RedisURI uri;
    try {
      uri = RedisURI.create(settings.uri());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a Redis URI (redis://, rediss://, redis-socket://)");
    }
    this.where = (uri.getHost() == null ? uri.getSocket() : uri.getHost() + ":" + uri.getPort())
        + (settings.isCluster() ? ", cluster" : "");
    ClientResources res = ClientResources.builder().reconnectDelay(Delay.constant(settings.reconnectDelay())).build();
    try {
      if (settings.isCluster()) {
        RedisClusterClient client = RedisClusterClient.create(res, uri);
        client.setOptions(ClusterClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
        StatefulRedisClusterConnection<String, String> c = connect(client::connect, client::shutdown, res);
        this.commands = c.async();
        this.resources = closer(c, client::shutdown, res);
      } else {
        RedisClient client = RedisClient.create(res, uri);
        client.setOptions(ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
        StatefulRedisConnection<String, String> c = connect(client::connect, client::shutdown, res);
        this.commands = c.async();
        this.resources = closer(c, client::shutdown, res);
      }
    } catch (Failed e) {
      throw failure.apply("cannot connect to Redis: " + e.getCause().getClass().getSimpleName(), e.getCause());
    } catch (RuntimeException e) {
      res.shutdown();
      throw e;
    }
  }

  /**
   * Connects as {@code settings} say.
   *
   * @param failure the module's store exception for a message and a cause
   * @throws IllegalArgumentException if the URI is not a Redis URI
   * @throws RuntimeException made by {@code failure} if Redis cannot be reached now
   */
  public static RedisConnection open(RedisSettings settings,
      BiFunction<String, Throwable, ? extends RuntimeException> failure) {
    return new RedisConnection(Objects.requireNonNull(settings, "settings"), failure);
  }

  /** A connection that could not be made; the client and resources are already shut down. */
  private static final class Failed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failed(RuntimeException cause) {
      super(cause);
    }
  }

  private static <C> C connect(Supplier<C> connect, Runnable shutdown, ClientResources res) {
    try {
      return connect.get();
    } catch (RuntimeException e) {
      shutdown.run();
      res.shutdown();
      throw new Failed(e);
    }
  }

  private static AutoCloseable closer(StatefulConnection<String, String> c, Runnable shutdown, ClientResources res) {
    return () -> {
      try {
        c.close();
      } finally {
        shutdown.run();
        res.shutdown();
      }
    };
  }

  /** The connection's commands (standalone or cluster), for the commands a store sends itself. */
  public RedisClusterAsyncCommands<String, String> commands() {
    return commands;
  }

  /**
   * Calls on this connection within the settings' timeout, failing with the connection's store
   * exception (see {@link RedisCalls#of}).
   */
  public RedisCalls calls(String failed) {
    return RedisCalls.of(commands, timeout, failed, failure);
  }

  /** Where the server is ({@code host:port} or the socket, and {@code ", cluster"}), never its credentials. */
  public String where() {
    return where;
  }

  /** Closes the connection and shuts the client down; calls afterwards fail. */
  @Override
  public void close() {
    try {
      resources.close();
    } catch (Exception e) {
      throw failure.apply("could not close the Redis client cleanly", e);
    }
  }

  @Override
  public String toString() {
    return "RedisConnection[" + where + "]";
  }
}
