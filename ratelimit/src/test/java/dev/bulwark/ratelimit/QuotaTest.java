package dev.bulwark.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class QuotaTest {

  @Test
  void zeroOrNegativeRates_andBursts_areRefused() {
    assertThrows(InvalidLimitException.class, () -> Quota.perMinute(0));
    assertThrows(InvalidLimitException.class, () -> Quota.perMinute(-5));
    assertThrows(InvalidLimitException.class, () -> Quota.perMinute(10).withBurst(0));
    assertThrows(InvalidLimitException.class, () -> Quota.perMinute(10).withBurst(-1));
    assertThrows(InvalidLimitException.class, () -> Quota.perMinute(10).withBurst(1_000_000_001L));
    assertThrows(InvalidLimitException.class, () -> Quota.of("zero", 1, Duration.ZERO));
    assertThrows(InvalidLimitException.class, () -> Quota.of("neg", 1, Duration.ofSeconds(-1)));
    assertThrows(InvalidLimitException.class, () -> Quota.of("long", 1, Duration.ofDays(401)));
  }

  @Test
  void moreThanOneUnitPerMicrosecond_isRefused() {
    assertThrows(InvalidLimitException.class, () -> Quota.of("fast", 1_000_001, Duration.ofSeconds(1)));
    assertEquals(1, Quota.of("fast", 1_000_000, Duration.ofSeconds(1)).intervalMicros());
  }

  @Test
  void badNames_areRefused() {
    for (String bad : new String[] {"", "Minute", "a b", "x\"y", "é", "x".repeat(33)}) {
      assertThrows(InvalidLimitException.class, () -> Quota.of(bad, 1, Duration.ofSeconds(1)), bad);
    }
  }

  @Test
  void interval_isPeriodOverLimit_roundedUp() {
    assertEquals(600_000, Quota.perMinute(100).intervalMicros());
    assertEquals(333_334, Quota.of("s", 3, Duration.ofSeconds(1)).intervalMicros());
    assertEquals(3 * 333_334, Quota.of("s", 3, Duration.ofSeconds(1)).toleranceMicros());
    assertEquals(86_400_000_000L / 50 * 7, Quota.perDay(50).withBurst(7).toleranceMicros());
  }
}
