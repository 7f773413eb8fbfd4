package dev.bulwark.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {

  private final FakeClock clock = FakeClock.atDefaultEpoch();
  private final RateLimitKey key = RateLimitKey.of("k");

  @Test
  void allowed_hasPolicyAndState_butNoRetryAfter() {
    RateLimiter rl = RateLimiter.builder("h", InMemoryRateLimitStore.builder().clock(clock).maxKeys(10).build()).clock(clock)
        .quota(Quota.perMinute(5).withBurst(3)).quota(Quota.perDay(50)).build();
    Map<String, String> h = RateLimitHeaders.of(rl.acquire(key)).asMap();
    assertEquals(List.of("RateLimit-Policy", "RateLimit"), List.copyOf(h.keySet()));
    assertEquals("\"minute\";q=5;w=60;bulwark-burst=3, \"day\";q=50;w=86400", h.get("RateLimit-Policy"));
    // minute: interval 12 s, 2 left, the third back 12 s after now; day: 49 left, next in 1728 s.
    assertEquals("\"minute\";r=2;t=12, \"day\";r=49;t=1728", h.get("RateLimit"));
  }

  @Test
  void denied_hasRetryAfterInWholeSecondsRoundedUp() {
    RateLimiter rl = RateLimiter.builder("h", InMemoryRateLimitStore.builder().clock(clock).maxKeys(10).build()).clock(clock)
        .quota(Quota.of("burst", 3, Duration.ofSeconds(10)).withBurst(1)).build();
    rl.acquire(key);
    clock.advance(Duration.ofMillis(100));
    RateLimitDecision d = rl.acquire(key);
    assertTrue(d.denied());
    assertEquals(Duration.ofNanos(3_233_334_000L), d.retryAfter());
    RateLimitHeaders h = RateLimitHeaders.of(d);
    assertEquals("4", h.retryAfter().orElseThrow());
    assertEquals("\"burst\";r=0;t=4", h.rateLimit().orElseThrow());
  }

  @Test
  void unavailable_hasOnlyRetryAfter() {
    RateLimiter rl = RateLimiter.builder("h", (k, q, c) -> {
      throw new dev.bulwark.ratelimit.RateLimitStoreException("down");
    }).quota(Quota.perMinute(5)).build();
    assertEquals(Map.of("Retry-After", "1"), RateLimitHeaders.of(rl.acquire(key)).asMap());
  }
}
