package dev.bulwark.authn.webauthn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One source starting ceremonies in a loop cannot push out other users' ceremonies. */
class InMemoryChallengeStoreFloodTest {

  private final FakeClock clock = FakeClock.atDefaultEpoch();
  private final InMemoryChallengeStore store = new InMemoryChallengeStore(clock);

  private Instant expiry() {
    return clock.instant().plus(Duration.ofMinutes(5));
  }

  /** More than the store's whole capacity (100,000) from one address: before, it evicted everyone. */
  @Test
  void floodFromOneSource_leavesOtherUsersCeremoniesInPlace() {
    store.put("alice-ceremony", "{\"alice\":1}", expiry(), Optional.of("198.51.100.7"));
    store.put("bob-ceremony", "{\"bob\":1}", expiry());
    for (int i = 0; i < 150_000; i++) {
      store.put("flood-" + i, "{}", expiry(), Optional.of("203.0.113.66"));
    }
    assertEquals(Optional.of("{\"alice\":1}"), store.take("alice-ceremony", clock.instant()));
    assertEquals(Optional.of("{\"bob\":1}"), store.take("bob-ceremony", clock.instant()));
    assertEquals(InMemoryChallengeStore.DEFAULT_MAX_PER_SOURCE, store.heldFor("203.0.113.66"));
  }

  @Test
  void aSourceBeyondItsShare_losesItsOwnOldestCeremonies() {
    InMemoryChallengeStore small = new InMemoryChallengeStore(clock, 3);
    for (int i = 0; i < 5; i++) {
      small.put("c" + i, "{" + i + "}", expiry(), Optional.of("192.0.2.1"));
    }
    assertEquals(Optional.empty(), small.take("c0", clock.instant()));
    assertEquals(Optional.empty(), small.take("c1", clock.instant()));
    assertEquals(Optional.of("{4}"), small.take("c4", clock.instant()));
    assertEquals(Optional.of("{2}"), small.take("c2", clock.instant()));
    assertEquals(1, small.heldFor("192.0.2.1"));
  }

  @Test
  void takenAndExpiredCeremonies_freeTheirSourcesShare() {
    InMemoryChallengeStore small = new InMemoryChallengeStore(clock, 2);
    small.put("a", "{a}", expiry(), Optional.of("192.0.2.1"));
    small.put("b", "{b}", expiry(), Optional.of("192.0.2.1"));
    assertTrue(small.take("a", clock.instant()).isPresent());
    small.put("c", "{c}", expiry(), Optional.of("192.0.2.1"));
    assertEquals(Optional.of("{b}"), small.take("b", clock.instant()), "the taken one made room, not b");
    clock.advance(Duration.ofMinutes(6));
    small.put("d", "{d}", clock.instant().plus(Duration.ofMinutes(5)), Optional.of("192.0.2.1"));
    small.put("e", "{e}", clock.instant().plus(Duration.ofMinutes(5)), Optional.of("192.0.2.1"));
    assertEquals(Optional.of("{d}"), small.take("d", clock.instant()), "the expired one made room");
  }
}
