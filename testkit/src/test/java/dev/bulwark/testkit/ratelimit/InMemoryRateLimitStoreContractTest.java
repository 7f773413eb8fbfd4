package dev.bulwark.testkit.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.ratelimit.InMemoryRateLimitStore;
import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryRateLimitStoreContractTest extends RateLimitStoreContract {

  @Override
  protected RateLimitStore createStore(FakeClock clock) {
    return InMemoryRateLimitStore.builder().clock(clock).maxKeys(10_000).build();
  }

  @Test
  void idleKeys_expire_onlyOnceTheyEqualAFreshKey() throws Exception {
    InMemoryRateLimitStore s = (InMemoryRateLimitStore) store;
    Quota q = Quota.of("m", 10, Duration.ofMinutes(1)).withBurst(10);
    for (int i = 0; i < 10; i++) {
      assertTrue(s.acquire("idle", List.of(q), 1).admitted());
    }
    assertFalse(s.acquire("idle", List.of(q), 1).admitted());
    clock.advance(Duration.ofSeconds(5));
    assertEquals(1, s.size(), "still live: its units come back one per 6 s");
    assertFalse(s.acquire("idle", List.of(q), 1).admitted());
    clock.advance(Duration.ofMinutes(1).plusSeconds(2));
    assertEquals(0, s.size(), "idle past its tolerance: forgotten");
    for (int i = 0; i < 10; i++) {
      assertTrue(s.acquire("idle", List.of(q), 1).admitted(), "a forgotten key is a full one");
    }
    assertFalse(s.acquire("idle", List.of(q), 1).admitted());
  }

  @Test
  void manyKeys_areBounded() throws Exception {
    InMemoryRateLimitStore s = InMemoryRateLimitStore.builder().clock(clock).maxKeys(100).build();
    for (int i = 0; i < 5_000; i++) {
      s.acquire("k" + i, List.of(Quota.perDay(5)), 1);
    }
    assertTrue(s.size() <= 100, "held " + s.size());
  }
}
