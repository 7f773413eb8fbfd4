package dev.bulwark.sso;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A settable clock for this module's tests, with the same methods as the project-wide fixture
 * ({@code at}, {@code advance}, {@code set}) so that switching to it is an import change.
 */
public final class FakeClock extends Clock {
  private volatile Instant now;

  private FakeClock(Instant now) {
    this.now = now;
  }

  public static FakeClock at(Instant start) {
    return new FakeClock(start);
  }

  public Instant advance(Duration amount) {
    now = now.plus(amount);
    return now;
  }

  public Instant set(Instant instant) {
    now = instant;
    return now;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
