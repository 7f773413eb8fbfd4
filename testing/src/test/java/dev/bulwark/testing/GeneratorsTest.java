package dev.bulwark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GeneratorsTest {

  @Test
  void numbersAndSizes_stayInTheirBounds_andReachTheEdges() {
    SplittableRandom r = new SplittableRandom(1);
    Set<Integer> ints = new HashSet<>();
    Set<Integer> sizes = new HashSet<>();
    for (int i = 0; i < 5000; i++) {
      int v = Generators.ints(-3, 7).next(r);
      assertTrue(v >= -3 && v <= 7, "" + v);
      ints.add(v);
      int n = Generators.bytes(2, 40).next(r).length;
      assertTrue(n >= 2 && n <= 40, "" + n);
      sizes.add(n);
      long l = Generators.longs(5, Long.MAX_VALUE).next(r);
      assertTrue(l >= 5, "" + l);
      double d = Generators.doubles(0.0, 1.0).next(r);
      assertTrue(d >= 0.0 && d <= 1.0, "" + d);
    }
    assertEquals(11, ints.size());
    assertTrue(sizes.contains(2) && sizes.contains(16) && sizes.contains(40), sizes.toString());
  }

  @Test
  void strings_useOnlyTheirAlphabet() {
    SplittableRandom r = new SplittableRandom(2);
    for (int i = 0; i < 2000; i++) {
      String id = Generators.identifiers().next(r);
      assertTrue(id.matches("[A-Za-z0-9_.:@-]{1,64}"), id);
      String p = Generators.printableAscii(0, 10).next(r);
      assertTrue(p.matches("[ -~]{0,10}"), p);
      assertTrue(Generators.hostileText(3, 5).next(r).length() >= 3);
    }
  }

  @Test
  void instantsAndDurations_stayInRange() {
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 2000; i++) {
      Instant t = Generators.instants().next(r);
      assertTrue(!t.isBefore(Instant.parse("2000-01-01T00:00:00Z")) && !t.isAfter(Instant.parse("2100-01-01T00:00:01Z")), t.toString());
      assertEquals(0, t.getNano() % 1000);
      Duration d = Generators.durations(Duration.ofHours(1)).next(r);
      assertTrue(!d.isNegative() && !d.isZero() && d.compareTo(Duration.ofHours(1)) <= 0, d.toString());
    }
  }
}
