package dev.bulwark.sso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class InMemoryReplayCacheTest {

  final FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T10:00:00Z"));

  @Test
  void secondUse_isRefused_untilExpiry() {
    InMemoryReplayCache cache = new InMemoryReplayCache(clock, 10);
    Instant exp = clock.instant().plusSeconds(60);
    assertTrue(cache.firstUse("idp", "a", exp));
    assertFalse(cache.firstUse("idp", "a", exp));
    assertTrue(cache.firstUse("other-idp", "a", exp), "IDs are per issuer");
    clock.advance(Duration.ofSeconds(61));
    assertTrue(cache.firstUse("idp", "a", clock.instant().plusSeconds(60)));
  }

  @Test
  void issuerAndIdBoundary_cannotCollide() {
    InMemoryReplayCache cache = new InMemoryReplayCache(clock, 10);
    Instant exp = clock.instant().plusSeconds(60);
    assertTrue(cache.firstUse("ab", "c", exp));
    assertTrue(cache.firstUse("a", "bc", exp));
  }

  @Test
  void full_refusesRatherThanForgetting() {
    InMemoryReplayCache cache = new InMemoryReplayCache(clock, 2);
    Instant exp = clock.instant().plusSeconds(60);
    cache.firstUse("i", "1", exp);
    cache.firstUse("i", "2", exp);
    assertThrows(SsoStoreException.class, () -> cache.firstUse("i", "3", exp));
    clock.advance(Duration.ofSeconds(61));
    assertTrue(cache.firstUse("i", "3", clock.instant().plusSeconds(60)));
  }

  @Test
  void concurrentUses_exactlyOneWins() throws Exception {
    InMemoryReplayCache cache = new InMemoryReplayCache(clock, 1000);
    Instant exp = clock.instant().plusSeconds(60);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 50; round++) {
        String id = "id-" + round;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> fs = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          fs.add(pool.submit(() -> {
            go.await();
            return cache.firstUse("idp", id, exp);
          }));
        }
        go.countDown();
        int wins = 0;
        for (Future<Boolean> f : fs) {
          wins += f.get() ? 1 : 0;
        }
        assertEquals(1, wins, "round " + round);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
