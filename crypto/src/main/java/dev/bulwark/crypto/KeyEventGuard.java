package dev.bulwark.crypto;

import dev.bulwark.common.event.GuardedDelivery;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Wraps the listener that records key events so its failures are never silent: each is counted
 * ({@link #failures()}), handed to the host's fallback and, when fail-closed, thrown to the caller
 * as {@link KeyEventNotRecordedException}. The same shape as authn's {@code SecurityEventGuard}
 * and lifecycle's {@code LifecycleEventGuard}, all delivering through bulwark-common's
 * {@link GuardedDelivery}.
 *
 * <p>Thread-safe if the delegate and the fallback are.
 */
public final class KeyEventGuard implements KeyEventListener {

  /** The default fallback: one ERROR line through {@link System.Logger} with the failure attached. */
  public static final BiConsumer<KeyEvent, RuntimeException> LOG_FALLBACK = GuardedDelivery.<KeyEvent>logFallback(
      "dev.bulwark.crypto", event -> "key event '" + event.type() + "' of keyring '" + event.keyring() + "'")::accept;

  private final GuardedDelivery<KeyEvent> delivery;

  private KeyEventGuard(Builder b) {
    BiConsumer<KeyEvent, RuntimeException> fallback = b.fallback;
    this.delivery = GuardedDelivery.of(b.delegate::onEvent,
        (event, failure) -> fallback.accept(event, unchecked(failure)), b.failClosed);
  }

  /** A listener declares no checked exception; one thrown anyway reaches the fallback wrapped. */
  private static RuntimeException unchecked(Exception failure) {
    return failure instanceof RuntimeException r ? r : new IllegalStateException(failure);
  }

  /** Starts a guard around {@code delegate}; defaults: {@link #LOG_FALLBACK}, fail-open. */
  public static Builder builder(KeyEventListener delegate) {
    return new Builder(delegate);
  }

  @Override
  public void onEvent(KeyEvent event) {
    Exception failure = delivery.deliver(event);
    if (failure != null && delivery.failClosed()) {
      throw new KeyEventNotRecordedException(event.type(), failure);
    }
  }

  /** How many events the delegate failed to take since this guard was built. */
  public long failures() {
    return delivery.failures();
  }

  @Override
  public String toString() {
    return "KeyEventGuard[failClosed=" + delivery.failClosed() + ", failures=" + failures() + "]";
  }

  /** Configures a {@link KeyEventGuard}. */
  public static final class Builder {
    private final KeyEventListener delegate;
    private BiConsumer<KeyEvent, RuntimeException> fallback = LOG_FALLBACK;
    private boolean failClosed;

    private Builder(KeyEventListener delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** Called with the event and the delegate's failure, on the thread that made the change. */
    public Builder fallback(BiConsumer<KeyEvent, RuntimeException> fallback) {
      this.fallback = Objects.requireNonNull(fallback, "fallback");
      return this;
    }

    /** When true, an event the delegate cannot take makes the keyring operation throw. */
    public Builder failClosed(boolean failClosed) {
      this.failClosed = failClosed;
      return this;
    }

    public KeyEventGuard build() {
      return new KeyEventGuard(this);
    }
  }
}
