package dev.bulwark.lifecycle;

import dev.bulwark.common.event.GuardedDelivery;
import dev.bulwark.lifecycle.spi.LifecycleListener;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Wraps the listener that records lifecycle events so its failures are never silent: each is
 * counted ({@link #failures()}) and handed to the host's fallback; evidence whose delivery failed
 * stays pending and is delivered again; and when the guard fails closed the emitting operation is
 * refused with {@link LifecycleEventNotRecordedException} (a purge run stops before it deletes
 * more). The same shape as authn's {@code SecurityEventGuard} and crypto's {@code KeyEventGuard},
 * all delivering through bulwark-common's {@link GuardedDelivery}.
 *
 * <p>{@link #onEvent} throws {@link LifecycleEventNotRecordedException} for every failure, telling
 * {@link Lifecycle} whether to refuse ({@link LifecycleEventNotRecordedException#refusesOperation()}).
 * Thread-safe if the delegate and the fallback are.
 */
public final class LifecycleEventGuard implements LifecycleListener {

  /** The default fallback: one ERROR line through {@link System.Logger} with the failure attached. */
  public static final BiConsumer<LifecycleEvent, Exception> LOG_FALLBACK = GuardedDelivery.logFallback(
      "dev.bulwark.lifecycle", event -> "lifecycle event '" + event.name() + "'");

  private final GuardedDelivery<LifecycleEvent> delivery;

  private LifecycleEventGuard(Builder b) {
    this.delivery = GuardedDelivery.of(b.delegate::onEvent, b.fallback, b.failClosed);
  }

  /** Starts a guard around {@code delegate}; defaults: {@link #LOG_FALLBACK}, fail-open. */
  public static Builder builder(LifecycleListener delegate) {
    return new Builder(delegate);
  }

  @Override
  public void onEvent(LifecycleEvent event) {
    Exception failure = delivery.deliver(event);
    if (failure != null) {
      throw new LifecycleEventNotRecordedException(event.name(), delivery.failClosed(), failure);
    }
  }

  /** How many events the delegate failed to take since this guard was built. */
  public long failures() {
    return delivery.failures();
  }

  @Override
  public String toString() {
    return "LifecycleEventGuard[failClosed=" + delivery.failClosed() + ", failures=" + failures() + "]";
  }

  /** Configures a {@link LifecycleEventGuard}. */
  public static final class Builder {
    private final LifecycleListener delegate;
    private BiConsumer<LifecycleEvent, Exception> fallback = LOG_FALLBACK;
    private boolean failClosed;

    private Builder(LifecycleListener delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** Called with the event and the delegate's failure, on the thread that did the work. */
    public Builder fallback(BiConsumer<LifecycleEvent, Exception> fallback) {
      this.fallback = Objects.requireNonNull(fallback, "fallback");
      return this;
    }

    /** When true, an event the delegate cannot take refuses the operation that emitted it. */
    public Builder failClosed(boolean failClosed) {
      this.failClosed = failClosed;
      return this;
    }

    public LifecycleEventGuard build() {
      return new LifecycleEventGuard(this);
    }
  }
}
