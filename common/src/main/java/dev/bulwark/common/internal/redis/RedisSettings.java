package dev.bulwark.common.internal.redis;

import dev.bulwark.common.redis.RedisStoreBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * What a module's Redis store builder collects before it connects, with the checks every such
 * builder makes: the server's URI, how long a call waits for an answer (default 500 ms, between
 * 1 ns and 1 minute), how often a lost connection is tried again (default 100 ms, between 1 ms and
 * 1 minute) and whether the URI names a Redis Cluster seed. {@link RedisStoreBuilder}, the base of
 * the stores' public builders, keeps one and forwards its setters here; a store takes a copy
 * ({@link #of}). Not thread-safe, like the builders.
 */
public final class RedisSettings {

  /** The default wait for an answer. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);

  /** The default interval between reconnection attempts. */
  public static final Duration DEFAULT_RECONNECT_DELAY = Duration.ofMillis(100);

  private static final Duration MAX = Duration.ofMinutes(1);

  private final URI uri;
  private Duration timeout = DEFAULT_TIMEOUT;
  private Duration reconnectDelay = DEFAULT_RECONNECT_DELAY;
  private boolean cluster;

  public RedisSettings(URI uri) {
    this.uri = Objects.requireNonNull(uri, "uri");
  }

  /** A copy of what {@code builder} collected (its setters have checked it). */
  public static RedisSettings of(RedisStoreBuilder<?, ?> builder) {
    RedisSettings s = new RedisSettings(builder.uri());
    s.timeout = builder.timeout();
    s.reconnectDelay = builder.reconnectDelay();
    s.cluster = builder.isCluster();
    return s;
  }

  /** @throws IllegalArgumentException unless between 1 ns and 1 minute */
  public void timeout(Duration timeout) {
    this.timeout = checkTimeout(timeout);
  }

  /** @throws IllegalArgumentException unless between 1 ms and 1 minute */
  public void reconnectDelay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.toMillis() < 1 || delay.compareTo(MAX) > 0) {
      throw new IllegalArgumentException("reconnectDelay must be between 1 ms and 1 minute");
    }
    this.reconnectDelay = delay;
  }

  /** The URI names a seed node of a Redis Cluster (default: a standalone server). */
  public void cluster() {
    this.cluster = true;
  }

  public URI uri() {
    return uri;
  }

  public Duration timeout() {
    return timeout;
  }

  public Duration reconnectDelay() {
    return reconnectDelay;
  }

  public boolean isCluster() {
    return cluster;
  }

  /**
   * The check of a store's wait for an answer, also for stores that take a host's connection.
   *
   * @return {@code timeout}
   * @throws IllegalArgumentException unless between 1 ns and 1 minute
   */
  public static Duration checkTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX) > 0) {
      throw new IllegalArgumentException("timeout must be between 1 ns and 1 minute");
    }
    return timeout;
  }

  /** The server and the mode, never the URI's credentials. */
  @Override
  public String toString() {
    return "RedisSettings[" + uri.getScheme() + ", " + (cluster ? "cluster" : "standalone") + ", " + timeout + "]";
  }
}
