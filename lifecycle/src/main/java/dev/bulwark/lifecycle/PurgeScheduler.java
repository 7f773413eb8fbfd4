package dev.bulwark.lifecycle;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a {@link PurgeRunner} periodically, on a {@link ScheduledExecutorService} ({@link #start})
 * or on the host's own scheduler (call {@link #runOnce()} from it). A run that a safety rail
 * refuses or that fails is recorded (the runner emits the event) and the schedule continues;
 * the outcome of the latest run is kept for health checks. Time inside a run comes from the
 * lifecycle's injected clock; the executor only decides when to call.
 *
 * <p>Thread-safe.
 */
public final class PurgeScheduler implements AutoCloseable {

  /** The outcome of the latest run: its report, or the error that stopped it. */
  public record Outcome(Optional<PurgeReport> report, Optional<Exception> error) {}

  private final PurgeRunner runner;
  private final AtomicReference<Outcome> last = new AtomicReference<>();
  private final AtomicReference<ScheduledFuture<?>> scheduled = new AtomicReference<>();

  public PurgeScheduler(PurgeRunner runner) {
    this.runner = Objects.requireNonNull(runner, "runner");
  }

  /**
   * One run; never throws, so a host scheduler keeps its schedule: a refused run is reported as
   * its {@link PurgeRefusedException}, an {@link Error} wrapped in a {@link LifecycleStoreException}.
   */
  public Outcome runOnce() {
    Outcome o;
    try {
      o = new Outcome(Optional.of(runner.run()), Optional.empty());
    } catch (PurgeRefusedException | RuntimeException e) {
      o = new Outcome(Optional.empty(), Optional.of(e));
    } catch (Error e) {
      // An Error from a listener or handler must not escape: a ScheduledExecutorService would
      // cancel the task silently and no purge would ever run again. Reported, schedule kept.
      o = new Outcome(Optional.empty(), Optional.of(new LifecycleStoreException("purge run failed: " + e, e)));
    }
    last.set(o);
    return o;
  }

  /** Schedules {@link #runOnce()} every {@code interval} after {@code initialDelay}, with fixed delay. */
  public void start(ScheduledExecutorService executor, Duration initialDelay, Duration interval) {
    Objects.requireNonNull(executor, "executor");
    if (initialDelay.isNegative() || interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("initialDelay must be >= 0 and interval > 0");
    }
    ScheduledFuture<?> f = executor.scheduleWithFixedDelay(
        this::runOnce, initialDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    if (!scheduled.compareAndSet(null, f)) {
      f.cancel(false);
      throw new IllegalStateException("already started");
    }
  }

  /** The latest run's outcome, empty before the first run. */
  public Optional<Outcome> lastOutcome() {
    return Optional.ofNullable(last.get());
  }

  /** Stops the schedule (a run in progress finishes its batch). */
  @Override
  public void close() {
    ScheduledFuture<?> f = scheduled.getAndSet(null);
    if (f != null) {
      f.cancel(false);
    }
  }
}
