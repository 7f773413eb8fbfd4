package dev.bulwark.authn.webauthn;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.bulwark.authn.webauthn.spi.ChallengeStore;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;

/**
 * The in-process {@link ChallengeStore}: a Caffeine cache whose entries expire on the store's
 * clock and are removed atomically when taken. Bounded to 100 000 open ceremonies so a flood of
 * "start" calls cannot exhaust memory, and to {@value #DEFAULT_MAX_PER_SOURCE} open ceremonies per
 * source address (when the caller names one, {@link #put(String, String, Instant, Optional)}):
 * a source that starts more loses its own oldest ceremonies, never anyone else's, so one client
 * flooding "start" cannot evict other users' ceremonies. Thread-safe. One node only.
 */
public final class InMemoryChallengeStore implements ChallengeStore {

  /** Open ceremonies one source may hold by default; a user needs one or two at a time. */
  public static final int DEFAULT_MAX_PER_SOURCE = 32;

  private static final long MAX_ENTRIES = 100_000;

  private record Entry(String json, Instant expiresAt, String source) {}

  private final Cache<String, Entry> entries;
  private final ConcurrentHashMap<String, ArrayDeque<String>> bySource = new ConcurrentHashMap<>();
  private final int maxPerSource;

  public InMemoryChallengeStore(InstantSource clock) {
    this(clock, DEFAULT_MAX_PER_SOURCE);
  }

  /**
   * A store holding at most {@code maxPerSource} open ceremonies per source address.
   *
   * @throws IllegalArgumentException if {@code maxPerSource} is below 1
   */
  public InMemoryChallengeStore(InstantSource clock, int maxPerSource) {
    Objects.requireNonNull(clock, "clock");
    if (maxPerSource < 1) {
      throw new IllegalArgumentException("maxPerSource must be at least 1");
    }
    this.maxPerSource = maxPerSource;
    this.entries = Caffeine.newBuilder()
        .maximumSize(MAX_ENTRIES)
        .executor(Runnable::run)
        .removalListener((String id, Entry e, RemovalCause cause) -> {
          if (id != null && e != null && e.source() != null) {
            forget(e.source(), id);
          }
        })
        .ticker(() -> nanos(clock.instant()))
        .expireAfter(new Expiry<String, Entry>() {
          @Override
          public long expireAfterCreate(String key, Entry value, long currentTime) {
            return Math.max(0L, nanos(value.expiresAt()) - currentTime);
          }

          @Override
          public long expireAfterUpdate(String key, Entry value, long currentTime, long currentDuration) {
            return Math.max(0L, nanos(value.expiresAt()) - currentTime);
          }

          @Override
          public long expireAfterRead(String key, Entry value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  private void forget(String source, String id) {
    bySource.computeIfPresent(source, (k, q) -> {
      q.remove(id);
      return q.isEmpty() ? null : q;
    });
  }

  private static long nanos(Instant t) {
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2;
    }
  }

  @Override
  public void put(String ceremonyId, String requestJson, Instant expiresAt) {
    put(ceremonyId, requestJson, expiresAt, Optional.empty());
  }

  @Override
  public void put(String ceremonyId, String requestJson, Instant expiresAt, Optional<String> source) {
    Objects.requireNonNull(ceremonyId, "ceremonyId");
    Objects.requireNonNull(requestJson, "requestJson");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(source, "source");
    String src = source.filter(x -> !x.isEmpty()).orElse(null);
    if (src == null) {
      entries.put(ceremonyId, new Entry(requestJson, expiresAt, null));
      return;
    }
    entries.put(ceremonyId, new Entry(requestJson, expiresAt, src));
    List<String> dropped = new ArrayList<>();
    bySource.compute(src, (k, q) -> {
      ArrayDeque<String> queue = q == null ? new ArrayDeque<>() : q;
      queue.removeIf(id -> entries.policy().getIfPresentQuietly(id) == null);
      queue.addLast(ceremonyId);
      while (queue.size() > maxPerSource) {
        dropped.add(queue.pollFirst());
      }
      return queue;
    });
    // The source's own oldest ceremonies make room; nobody else's.
    entries.invalidateAll(dropped);
  }

  /** Open ceremonies held for {@code source} (for tests and metrics). */
  public int heldFor(String source) {
    int[] held = new int[1];
    bySource.computeIfPresent(Objects.requireNonNull(source, "source"), (k, q) -> {
      held[0] = q.size();
      return q;
    });
    return held[0];
  }

  @Override
  public Optional<String> take(String ceremonyId, Instant now) {
    Objects.requireNonNull(now, "now");
    Entry e = entries.asMap().remove(Objects.requireNonNull(ceremonyId, "ceremonyId"));
    if (e == null || !now.isBefore(e.expiresAt())) {
      return Optional.empty();
    }
    return Optional.of(e.json());
  }
}
