package dev.bulwark.common.redis;

import dev.bulwark.common.internal.redis.RedisSettings;
import java.net.URI;
import java.time.Duration;

/**
 * The settings every Redis store of Bulwark takes, written once: each store's {@code Builder}
 * extends this class with its own type as {@code B} and its store as {@code S}, adds the settings
 * of its own, and makes {@link #build()} connect. No Lettuce type appears here: a host that names
 * a builder needs Lettuce only when it builds a store.
 *
 * <p>Not thread-safe: configure it on one thread, then call {@link #build()}.
 *
 * @param <B> the store's builder (what the setters return)
 * @param <S> the store
 */
public abstract class RedisStoreBuilder<B extends RedisStoreBuilder<B, S>, S> {

  private final RedisSettings settings;

  /** @throws NullPointerException if {@code uri} is null */
  protected RedisStoreBuilder(URI uri) {
    this.settings = new RedisSettings(uri);
  }

  /**
   * How long a call waits for Redis's answer before it fails as the store documents (default
   * 500 ms).
   *
   * @throws IllegalArgumentException unless between 1 ns and 1 minute
   */
  public B timeout(Duration timeout) {
    settings.timeout(timeout);
    return self();
  }

  /**
   * How often a lost connection is tried again (default 100 ms); calls meanwhile fail as the store
   * documents.
   *
   * @throws IllegalArgumentException unless between 1 ms and 1 minute
   */
  public B reconnectDelay(Duration delay) {
    settings.reconnectDelay(delay);
    return self();
  }

  /** The URI names a seed node of a Redis Cluster (default: a standalone server). */
  public B cluster() {
    settings.cluster();
    return self();
  }

  /** The server's URI as given (it may hold credentials: do not log it). */
  public final URI uri() {
    return settings.uri();
  }

  /** The wait for an answer (see {@link #timeout(Duration)}). */
  public final Duration timeout() {
    return settings.timeout();
  }

  /** The interval between reconnection attempts (see {@link #reconnectDelay(Duration)}). */
  public final Duration reconnectDelay() {
    return settings.reconnectDelay();
  }

  /** Whether the URI names a Redis Cluster seed (see {@link #cluster()}). */
  public final boolean isCluster() {
    return settings.isCluster();
  }

  /** Connects; the store's builder documents what it throws. */
  public abstract S build();

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }
}
