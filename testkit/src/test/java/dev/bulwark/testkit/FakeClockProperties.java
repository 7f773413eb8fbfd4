package dev.bulwark.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

class FakeClockProperties {

  @Property
  void advancingBySteps_equalsAdvancingByTheirSum(
      @ForAll("start") Instant start, @ForAll @Size(max = 20) List<@net.jqwik.api.constraints.LongRange(min = 0, max = 1_000_000) Long> stepsSeconds) {
    FakeClock clock = FakeClock.at(start);
    long total = 0;
    for (long s : stepsSeconds) {
      clock.advance(Duration.ofSeconds(s));
      total += s;
    }
    assertEquals(start.plusSeconds(total), clock.instant());
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<Instant> start() {
    return BulwarkArbitraries.instants();
  }

  @Property
  void generatedInstants_haveMicrosecondPrecision(@ForAll("start") Instant instant) {
    assertEquals(0, instant.getNano() % 1_000);
  }
}
