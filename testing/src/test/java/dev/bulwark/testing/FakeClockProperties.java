package dev.bulwark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FakeClockProperties {

  @Test
  void advancingBySteps_equalsAdvancingByTheirSum() {
    PropertyRunner.forAll(c -> {
      Instant start = c.draw("start", start());
      List<Long> stepsSeconds = c.draw("stepsSeconds", Generators.lists(Generators.longs(0, 1_000_000), 0, 20));
      FakeClock clock = FakeClock.at(start);
      long total = 0;
      for (long s : stepsSeconds) {
        clock.advance(Duration.ofSeconds(s));
        total += s;
      }
      assertEquals(start.plusSeconds(total), clock.instant());
    });
  }

  static Gen<Instant> start() {
    return Generators.instants();
  }

  @Test
  void generatedInstants_haveMicrosecondPrecision() {
    PropertyRunner.forAll(c -> {
      Instant instant = c.draw("instant", start());
      assertEquals(0, instant.getNano() % 1_000);
    });
  }
}
