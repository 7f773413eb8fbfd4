package dev.bulwark.common.event;

import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * The one way Bulwark hands an event to a host's listener so that a failure is never silent. Each
 * module's public guard ({@code SecurityEventGuard}, {@code KeyEventGuard},
 * {@code LifecycleEventGuard}) keeps its own listener and exception types and delegates here:
 *
 * <ol>
 *   <li>the delegate gets the event;</li>
 *   <li>if it throws, the failure is counted ({@link #failures()}) and handed to the fallback the
 *       host set (by default one ERROR line through {@link System.Logger}); a fallback that throws
 *       is attached to the failure as suppressed, never lost;</li>
 *   <li>{@link #deliver} returns the failure, and the module's guard throws its own
 *       {@code …NotRecordedException} when the guard {@linkplain #failClosed() fails closed}, so
 *       the operation is refused when its record cannot be written.</li>
 * </ol>
 *
 * <p>Thread-safe if the delegate and the fallback are.
 *
 * @param <E> the module's event type
 */
public final class GuardedDelivery<E> {

  /** A listener as the delivery sees it; may throw anything. */
  @FunctionalInterface
  public interface Sink<E> {
    void accept(E event) throws Exception;
  }

  private final Sink<E> delegate;
  private final BiConsumer<? super E, ? super Exception> fallback;
  private final boolean failClosed;
  private final LongAdder failures = new LongAdder();

  private GuardedDelivery(Sink<E> delegate, BiConsumer<? super E, ? super Exception> fallback, boolean failClosed) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.fallback = Objects.requireNonNull(fallback, "fallback");
    this.failClosed = failClosed;
  }

  /**
   * A delivery to {@code delegate}.
   *
   * @param fallback called with the event and the delegate's failure, on the emitting thread
   * @param failClosed whether the module should refuse the operation when delivery fails
   */
  public static <E> GuardedDelivery<E> of(Sink<E> delegate, BiConsumer<? super E, ? super Exception> fallback,
      boolean failClosed) {
    return new GuardedDelivery<>(delegate, fallback, failClosed);
  }

  /**
   * A fallback that logs one ERROR line naming the event (through {@code describe}, which must
   * not include secrets) with the failure attached, through {@link System.Logger} {@code logger}.
   */
  public static <E> BiConsumer<E, Exception> logFallback(String logger,
      java.util.function.Function<? super E, String> describe) {
    System.Logger log = System.getLogger(logger);
    return (event, failure) -> log.log(System.Logger.Level.ERROR,
        describe.apply(event) + " was not recorded by its listener", failure);
  }

  /**
   * Hands {@code event} to the delegate.
   *
   * @return null when the delegate took it; otherwise its failure, already counted and reported
   *     to the fallback
   */
  public Exception deliver(E event) {
    try {
      delegate.accept(event);
      return null;
    } catch (Exception failure) {
      failures.increment();
      try {
        fallback.accept(event, failure);
      } catch (RuntimeException fallbackFailure) {
        failure.addSuppressed(fallbackFailure);
      }
      return failure;
    }
  }

  /** Whether the module refuses an operation whose event could not be delivered. */
  public boolean failClosed() {
    return failClosed;
  }

  /** How many events the delegate failed to take since this delivery was made. */
  public long failures() {
    return failures.sum();
  }

  @Override
  public String toString() {
    return "GuardedDelivery[failClosed=" + failClosed + ", failures=" + failures() + "]";
  }
}
