package dev.bulwark.sso;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What only the in-memory cache has: a bound on live entries. The behaviour every replay cache
 * shares is testkit's {@code ReplayCacheContract} (run there on this cache and on the JDBC one).
 */
class InMemoryReplayCacheTest {

  final FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T10:00:00Z"));

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
}
