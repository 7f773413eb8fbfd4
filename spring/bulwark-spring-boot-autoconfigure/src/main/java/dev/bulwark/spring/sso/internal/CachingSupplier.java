package dev.bulwark.spring.sso.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Computes a value once, on first use, and keeps it. A failure is not kept: the next call after
 * {@code retryAfter} tries again; calls before that fail at once (so a provider that is down is
 * not hammered). Thread-safe.
 */
public final class CachingSupplier<T> implements Supplier<T> {

  private final Callable<T> source;
  private final Clock clock;
  private final Duration retryAfter;
  private T value;
  private Instant failedAt;

  public CachingSupplier(Callable<T> source, Clock clock, Duration retryAfter) {
    this.source = Objects.requireNonNull(source, "source");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
  }

  @Override
  public synchronized T get() {
    if (value != null) {
      return value;
    }
    Instant now = clock.instant();
    if (failedAt != null && now.isBefore(failedAt.plus(retryAfter))) {
      throw new IllegalStateException("the provider was unavailable moments ago");
    }
    try {
      value = Objects.requireNonNull(source.call(), "source answered null");
      failedAt = null;
      return value;
    } catch (Exception e) {
      failedAt = now;
      throw new IllegalStateException("the provider is unavailable: " + e.getClass().getSimpleName(), e);
    }
  }
}
