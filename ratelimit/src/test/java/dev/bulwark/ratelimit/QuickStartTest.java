package dev.bulwark.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.ratelimit.spi.RateLimitStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's quick start, compiled and run (in memory; the PostgreSQL and Redis lines are comments there too). */
class QuickStartTest {

  @Test
  void readmeQuickStart() {
    List<RateLimitEvent> alarms = new ArrayList<>();
    Map<String, String> response = new LinkedHashMap<>();
    String clientIp = "203.0.113.9";

    // --- as in README.md ---
    RateLimitStore store = RateLimitStore.inMemory();           // or JdbcRateLimitStore.create(dataSource),
                                                                 //    RedisRateLimitStore.connect(URI.create("redis://host:6379"))
    RateLimiter signups = RateLimiter.builder("signup", store)
        .quota(Quota.perMinute(5).withBurst(3))                  // 5 a minute, at most 3 at once
        .quota(Quota.perDay(50))                                 // and 50 a day, on the same key
        .failurePolicy(FailurePolicy.deny())                     // the default: no store, no admission
        .listener(alarms::add)                                   // outages and recoveries
        .build();

    RateLimitKey key = RateLimitKey.builder().source(clientIp).route("POST /signup").build();
    RateLimitDecision d = signups.acquire(key);                           // or acquire(key, cost)
    RateLimitHeaders.of(d).forEach(response::put);               // e.g. response::setHeader
    if (d.denied()) {
      // 429 Too Many Requests (or 503 when d.reason() == STORE_UNAVAILABLE)
    }
    // --- end ---

    assertTrue(d.allowed());
    assertEquals("\"minute\";q=5;w=60;bulwark-burst=3, \"day\";q=50;w=86400", response.get("RateLimit-Policy"));
    signups.acquire(key);
    signups.acquire(key);
    RateLimitDecision fourth = signups.acquire(key);
    assertTrue(fourth.denied());
    // System clock: a few milliseconds pass between the calls.
    assertTrue(fourth.retryAfter().compareTo(Duration.ofSeconds(12)) <= 0 && fourth.retryAfter().compareTo(Duration.ofSeconds(11)) > 0);
    assertEquals(Map.of("Retry-After", "12",
        "RateLimit-Policy", "\"minute\";q=5;w=60;bulwark-burst=3, \"day\";q=50;w=86400",
        "RateLimit", "\"minute\";r=0;t=12, \"day\";r=47;t=1728"), RateLimitHeaders.of(fourth).asMap());
    assertTrue(alarms.isEmpty());
  }
}
