package dev.bulwark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PropertyRunnerTest {

  private static List<Long> draws(String name) {
    List<Long> out = new ArrayList<>();
    PropertyRunner.forAll(name, 20, c -> out.add(c.nextLong()));
    return out;
  }

  @Test
  void runs_areReproducible_andPropertiesDoNotShareASequence() {
    assertEquals(draws("a"), draws("a"));
    assertNotEquals(draws("a"), draws("b"));
    assertEquals(20, draws("a").stream().distinct().count());
  }

  @Test
  void runsExactlyTheRequestedTries() {
    AtomicInteger n = new AtomicInteger();
    PropertyRunner.forAll(37, c -> n.incrementAndGet());
    assertEquals(37, n.get());
  }

  @Test
  void failure_namesSeedTryAndDrawnValues_andKeepsTheCause() {
    AssertionError e = assertThrows(AssertionError.class, () -> PropertyRunner.forAll("p", 100, c -> {
      int x = c.draw("x", Generators.ints(0, 1000));
      if (x > 500) {
        throw new IllegalStateException("too big: " + x);
      }
    }));
    String m = e.getMessage();
    assertTrue(m.startsWith("property p failed on try "), m);
    assertTrue(m.contains("with seed 0x" + Long.toHexString(Seeds.seed())), m);
    assertTrue(m.contains("-Dbulwark.seed=0x"), m);
    assertTrue(m.matches("(?s).*\\n  x = (50[1-9]|5[1-9]\\d|[6-9]\\d\\d|1000)\\n.*"), m);
    assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
  }

  @Test
  void defaultName_isTheCallingMethod() {
    AssertionError e = assertThrows(AssertionError.class, () -> PropertyRunner.forAll(5, c -> {
      throw new AssertionError("no");
    }));
    assertTrue(e.getMessage().contains("PropertyRunnerTest.lambda$defaultName_isTheCallingMethod")
        || e.getMessage().contains("PropertyRunnerTest.defaultName_isTheCallingMethod"), e.getMessage());
  }

  @Test
  void rejectedCases_areReplaced_andAllRejectedFails() {
    AtomicInteger accepted = new AtomicInteger();
    PropertyRunner.forAll("half", 50, c -> {
      c.assume(c.nextBoolean());
      accepted.incrementAndGet();
    });
    assertEquals(50, accepted.get());
    AssertionError e = assertThrows(AssertionError.class, () -> PropertyRunner.forAll("never", 3, c -> c.assume(false)));
    assertTrue(e.getMessage().contains("rejected"), e.getMessage());
  }

  @Test
  void seedProperty_isParsed() {
    String old = System.getProperty(Seeds.PROPERTY);
    try {
      System.setProperty(Seeds.PROPERTY, "0x10");
      assertEquals(16, Seeds.seed());
      System.setProperty(Seeds.PROPERTY, "-5");
      assertEquals(-5, Seeds.seed());
      System.setProperty(Seeds.PROPERTY, "nope");
      assertThrows(IllegalArgumentException.class, Seeds::seed);
      System.clearProperty(Seeds.PROPERTY);
      assertEquals(Seeds.DEFAULT_SEED, Seeds.seed());
    } finally {
      if (old == null) {
        System.clearProperty(Seeds.PROPERTY);
      } else {
        System.setProperty(Seeds.PROPERTY, old);
      }
    }
  }

  @Test
  void failureReport_rendersArraysInsideLists_andEscapesControlCharacters() {
    AssertionError e = assertThrows(AssertionError.class, () -> PropertyRunner.forAll("render", 1, c -> {
      c.note("blobs", List.of(new byte[] {1, 2}, new byte[0]));
      c.note("text", "a\nb");
      throw new AssertionError("no");
    }));
    assertTrue(e.getMessage().contains("blobs = [byte[2] [1, 2], byte[0] []]"), e.getMessage());
    assertTrue(e.getMessage().contains("text = \"a\\u000ab\""), e.getMessage());
  }
}
