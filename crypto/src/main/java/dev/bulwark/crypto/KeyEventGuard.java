package dev.bulwark.crypto;

import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * Wraps the listener that records key events so its failures are never silent: each is counted
 * ({@link #failures()}), handed to the host's fallback and, when fail-closed, thrown to the caller
 * as {@link KeyEventNotRecordedException}. The same shape as authn's {@code SecurityEventGuard}
 * and lifecycle's {@code LifecycleEventGuard}.
 *
 * <p>Thread-safe if the delegate and the fallback are.
 */
public final class KeyEventGuard implements KeyEventListener {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.crypto");

  /** The default fallback: one ERROR line through {@link System.Logger} with the failure attached. */
  public static final BiConsumer<KeyEvent, RuntimeException> LOG_FALLBACK = (event, failure) ->
      LOG.log(System.Logger.Level.ERROR, "key event '" + event.type() + "' of keyring '" + event.keyring()
          + "' was not recorded by its listener", failure);

  private final KeyEventListener delegate;
  private final BiConsumer<KeyEvent, RuntimeException> fallback;
  private final boolean failClosed;
  private final LongAdder failures = new LongAdder();

  private KeyEventGuard(Builder b) {
    this.delegate = b.delegate;
    this.fallback = b.fallback;
    this.failClosed = b.failClosed;
  }

  /** Starts a guard around {@code delegate}; defaults: {@link #LOG_FALLBACK}, fail-open. */
  public static Builder builder(KeyEventListener delegate) {
    return new Builder(delegate);
  }

  @Override
  public void onEvent(KeyEvent event) {
    try {
      delegate.onEvent(event);
    } catch (RuntimeException failure) {
      failures.increment();
      try {
        fallback.accept(event, failure);
      } catch (RuntimeException fallbackFailure) {
        failure.addSuppressed(fallbackFailure);
      }
      if (failClosed) {
        throw new KeyEventNotRecordedException(event.type(), failure);
      }
    }
  }

  /** How many events the delegate failed to take since this guard was built. */
  public long failures() {
    return failures.sum();
  }

  @Override
  public String toString() {
    return "KeyEventGuard[failClosed=" + failClosed + ", failures=" + failures() + "]";
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
