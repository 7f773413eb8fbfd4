package dev.bulwark.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until a test moves it.
 *
 * <p>Every Bulwark component that depends on time takes a {@code Clock} or an
 * {@link java.time.InstantSource}; hand it a {@code FakeClock} and move time with
 * {@link #advance(Duration)} instead of sleeping. Clocks derived with {@link #withZone(ZoneId)}
 * share this clock's time, so advancing one advances all of them.
 *
 * <p>Thread-safe: reads and moves are atomic, so a test may advance the clock while other
 * threads read it.
 */
public final class FakeClock extends Clock {

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  private FakeClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /** A clock at {@code start}, in UTC. */
  public static FakeClock at(Instant start) {
    return new FakeClock(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  /** A clock at 2026-01-01T00:00:00Z, a fixed and unremarkable starting point. */
  public static FakeClock atDefaultEpoch() {
    return at(Instant.parse("2026-01-01T00:00:00Z"));
  }

  /**
   * Moves the clock forward by {@code amount} and returns the new time.
   *
   * @throws IllegalArgumentException if {@code amount} is negative (use {@link #set(Instant)}
   *     to test a clock that jumps backwards)
   */
  public Instant advance(Duration amount) {
    Objects.requireNonNull(amount, "amount");
    if (amount.isNegative()) {
      throw new IllegalArgumentException("advance() moves forward only; use set() to go back");
    }
    return now.updateAndGet(t -> t.plus(amount));
  }

  /** Sets the clock to {@code instant}, forwards or backwards, and returns the previous time. */
  public Instant set(Instant instant) {
    return now.getAndSet(Objects.requireNonNull(instant, "instant"));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public FakeClock withZone(ZoneId newZone) {
    return new FakeClock(now, Objects.requireNonNull(newZone, "zone"));
  }

  @Override
  public String toString() {
    return "FakeClock[" + now.get() + ", " + zone + "]";
  }
}
