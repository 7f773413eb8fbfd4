package dev.bulwark.detect.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StripedLruTest {

  /** A value that is its own entry. */
  private static final class Text extends StripedLru.Entry {
    final String text;

    Text(String text) {
      this.text = text;
    }
  }

  private static Text get(StripedLru<Text> m, String key, String ifAbsent) {
    StripedLru.Stripe<Text> s = m.stripe(key.hashCode());
    Text t = s.get(key, key.hashCode());
    if (t == null) {
      t = new Text(ifAbsent);
      s.add(key, key.hashCode(), t);
    }
    return t;
  }

  private static String peek(StripedLru<Text> m, String key) {
    Text t = m.stripe(key.hashCode()).get(key, key.hashCode());
    return t == null ? null : t.text;
  }

  @Test
  void keysOfOneStripe_doNotShareTheLowHashBitsTheStripesBucketBy() {
    StripedLru<Text> m = new StripedLru<>(1_000_000, 64);
    Object stripe = m.stripe("user-0".hashCode());
    Set<Integer> lowBits = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      String k = "user-" + i;
      if (m.stripe(k.hashCode()) == stripe) {
        int h = k.hashCode();
        lowBits.add((h ^ (h >>> 16)) & 63);
      }
    }
    assertTrue(lowBits.size() > 32, "a stripe's keys spread over buckets: " + lowBits.size() + " of 64 low-bit values");
  }

  @Test
  void boundedPerStripe_leastRecentlyUsedGoesFirst() {
    StripedLru<Text> m = new StripedLru<>(64, 1);
    for (int i = 0; i < 64; i++) {
      get(m, "k" + i, "k" + i);
    }
    get(m, "k0", "again"); // touch k0
    get(m, "k64", "k64");
    assertEquals("k0", peek(m, "k0"));
    assertNull(peek(m, "k1"));
  }

  @Test
  void keepsWhatABoundedAccessOrderedLinkedHashMapKeeps() {
    PropertyRunner.forAll(300, c -> {
      int max = c.draw("max", Generators.ints(1, 40));
      StripedLru<Text> m = new StripedLru<>(max, 1);
      LinkedHashMap<String, String> model = new LinkedHashMap<>(16, 0.75f, true);
      int keys = c.draw("keys", Generators.ints(1, 120));
      int steps = c.draw("steps", Generators.ints(1, 400));
      for (int i = 0; i < steps; i++) {
        String k = "k" + c.draw("key", Generators.ints(0, keys - 1));
        if (c.draw("add", Generators.booleans())) {
          String v = model.get(k);
          if (v == null) {
            v = "v" + i;
            model.put(k, v);
            if (model.size() > max) {
              Iterator<String> eldest = model.keySet().iterator();
              eldest.next();
              eldest.remove();
            }
          }
          assertEquals(v, get(m, k, "v" + i).text, "get or add " + k);
        } else {
          assertEquals(model.get(k), peek(m, k), "peek " + k);
        }
        assertEquals(model.size(), m.stripe(0).size(), "size");
      }
    });
  }
}
