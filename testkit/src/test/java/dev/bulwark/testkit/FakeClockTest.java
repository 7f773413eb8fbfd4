package dev.bulwark.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class FakeClockTest {

  @Test
  void advance_movesTimeForward_andZonedCopiesFollow() {
    FakeClock clock = FakeClock.at(Instant.parse("2026-03-01T10:00:00Z"));
    FakeClock paris = clock.withZone(ZoneId.of("Europe/Paris"));

    clock.advance(Duration.ofHours(25));

    assertEquals(Instant.parse("2026-03-02T11:00:00Z"), clock.instant());
    assertEquals(clock.instant(), paris.instant());
    assertEquals(ZoneId.of("Europe/Paris"), paris.getZone());
  }

  @Test
  void advance_withNegativeAmount_isRejected() {
    FakeClock clock = FakeClock.atDefaultEpoch();
    assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofSeconds(-1)));
  }

  @Test
  void set_canMoveBackwards_andReturnsPreviousTime() {
    FakeClock clock = FakeClock.atDefaultEpoch();
    Instant before = clock.instant();
    Instant earlier = before.minus(Duration.ofDays(3));

    assertEquals(before, clock.set(earlier));
    assertEquals(earlier, clock.instant());
    assertEquals(earlier.toEpochMilli(), clock.millis());
  }
}
