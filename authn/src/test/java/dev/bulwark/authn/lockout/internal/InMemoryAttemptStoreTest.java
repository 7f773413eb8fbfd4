package dev.bulwark.authn.lockout.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.lockout.Attempts;
import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the in-memory store adds to the SPI contract: bounded memory, expiry, counters kept alive. */
class InMemoryAttemptStoreTest {

  private final FakeClock clock = FakeClock.atDefaultEpoch();

  private Attempts fail(InMemoryAttemptStore store, String key, Duration ttl, long disableAt) {
    Instant now = clock.instant();
    return store.recordFailure(key, now, now.plus(ttl), disableAt);
  }

  @Test
  void manyKeys_neverHoldMoreThanMaxKeys() {
    InMemoryAttemptStore store = new InMemoryAttemptStore(clock, 100);
    for (int i = 0; i < 5_000; i++) {
      fail(store, "a:spray-" + i, Duration.ofHours(24), Long.MAX_VALUE);
    }
    assertTrue(store.keysHeld() <= 100, store.toString());
  }

  @Test
  void keyUnderAttack_survivesASprayOfOneOffKeys() {
    InMemoryAttemptStore store = new InMemoryAttemptStore(clock, 1_000);
    for (int i = 0; i < 600; i++) {
      fail(store, "a:earlier-" + i, Duration.ofHours(24), Long.MAX_VALUE);
    }
    for (int i = 0; i < 50; i++) {
      fail(store, "a:target", Duration.ofHours(24), Long.MAX_VALUE);
    }
    // Ten times the store's size in keys that fail once each; the target keeps failing meanwhile.
    for (int i = 0; i < 10_000; i++) {
      fail(store, "a:spray-" + i, Duration.ofHours(24), Long.MAX_VALUE);
      if (i % 100 == 0) {
        fail(store, "a:target", Duration.ofHours(24), Long.MAX_VALUE);
      }
    }
    assertTrue(store.keysHeld() <= 1_000);
    assertEquals(50 + 100, store.get("a:target", clock.instant()).failures());
  }

  @Test
  void disabledKeys_areNeverDroppedForSize() {
    InMemoryAttemptStore store = new InMemoryAttemptStore(clock, 10);
    for (int i = 0; i < 30; i++) {
      fail(store, "f:password:victim-" + i, Duration.ofDays(365), 2);
      fail(store, "f:password:victim-" + i, Duration.ofDays(365), 2);
    }
    for (int i = 0; i < 3_000; i++) {
      fail(store, "a:spray-" + i, Duration.ofHours(24), Long.MAX_VALUE);
    }
    store.keysHeld();
    for (int i = 0; i < 30; i++) {
      Attempts a = store.get("f:password:victim-" + i, clock.instant());
      assertTrue(a.disabled(), "victim-" + i);
      assertEquals(2, a.failures());
    }
    assertTrue(store.keysHeld() <= 10 + 30);
  }

  @Test
  void expiredRecords_leaveTheCache_liveOnesStay() {
    InMemoryAttemptStore store = new InMemoryAttemptStore(clock);
    fail(store, "short", Duration.ofMinutes(1), Long.MAX_VALUE);
    fail(store, "long", Duration.ofHours(1), Long.MAX_VALUE);
    fail(store, "off", Duration.ofMinutes(1), 1);
    assertEquals(3, store.keysHeld());
    clock.advance(Duration.ofMinutes(2));
    assertEquals(2, store.keysHeld(), "only the expired, enabled record is dropped");
    assertEquals(1, store.get("long", clock.instant()).failures());
    assertTrue(store.get("off", clock.instant()).disabled());
  }

  @Test
  void failuresSpreadOverManyLifetimes_areCountedExactly_whateverTheCacheDoes() {
    InMemoryAttemptStore store = new InMemoryAttemptStore(clock);
    Duration ttl = Duration.ofHours(1);
    // Steps of 20 minutes pass the counter's keep-until time (expiry + 15 min) on every failure;
    // steps of 1 minute stay inside it. Maintenance runs between steps either way.
    for (int i = 1; i <= 60; i++) {
      clock.advance(Duration.ofMinutes(i % 3 == 0 ? 20 : 1));
      store.keysHeld();
      assertEquals(i - 1, store.get("k", clock.instant()).failures());
      assertEquals(i, fail(store, "k", ttl, Long.MAX_VALUE).failures());
    }
    clock.advance(ttl.minusMillis(1));
    store.keysHeld();
    assertEquals(60, store.get("k", clock.instant()).failures());
    clock.advance(Duration.ofMillis(1));
    assertEquals(Attempts.NONE, store.get("k", clock.instant()));
    assertEquals(1, fail(store, "k", ttl, Long.MAX_VALUE).failures());
  }

  @Test
  void reset_thenFailures_startAgain_andTheKeyIsGone() {
    InMemoryAttemptStore store = new InMemoryAttemptStore(clock);
    fail(store, "k", Duration.ofHours(1), 3);
    fail(store, "k", Duration.ofHours(1), 3);
    store.reset("k");
    assertEquals(0, store.keysHeld());
    assertEquals(1, fail(store, "k", Duration.ofHours(1), 3).failures());
  }

  @Test
  void getAll_answersLikeGet_forFewManyAndRepeatedKeys() {
    InMemoryAttemptStore store = new InMemoryAttemptStore(clock);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      keys.add("k" + i);
      for (int j = 0; j <= i % 3; j++) {
        fail(store, "k" + i, Duration.ofHours(1), Long.MAX_VALUE);
      }
    }
    for (List<String> asked : List.of(List.of("k1"), List.of("k1", "k2", "k1", "absent"), keys, List.<String>of())) {
      Map<String, Attempts> all = store.getAll(asked, clock.instant());
      assertEquals(new HashSet<>(asked).size(), all.size());
      for (String k : asked) {
        assertEquals(store.get(k, clock.instant()), all.get(k), k);
        assertTrue(all.containsKey(k));
      }
      assertEquals(Map.copyOf(all), all, "equal to a plain map of the same entries");
      assertEquals(null, all.get("never-asked"));
    }
  }

  @Test
  void maxKeysBelowOne_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new InMemoryAttemptStore(clock, 0));
  }
}
