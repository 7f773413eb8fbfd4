package dev.bulwark.detect.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StripedLruTest {

  @Test
  void keysOfOneStripe_doNotShareTheLowHashBitsTheStripesHashMapBucketsBy() {
    StripedLru<String> m = new StripedLru<>(1_000_000, 64);
    Object stripe = m.lockFor("user-0");
    Set<Integer> lowBits = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      String k = "user-" + i;
      if (m.lockFor(k) == stripe) {
        int h = k.hashCode();
        lowBits.add((h ^ (h >>> 16)) & 63);
      }
    }
    assertTrue(lowBits.size() > 32, "a stripe's keys spread over HashMap buckets: " + lowBits.size() + " of 64 low-bit values");
  }

  @Test
  void boundedPerStripe_leastRecentlyUsedGoesFirst() {
    StripedLru<String> m = new StripedLru<>(64, 1);
    for (int i = 0; i < 64; i++) {
      m.get("k" + i, k -> k);
    }
    m.get("k0", k -> "again"); // touch k0
    m.get("k64", k -> k);
    assertEquals("k0", m.peek("k0"));
    assertNull(m.peek("k1"));
  }
}
