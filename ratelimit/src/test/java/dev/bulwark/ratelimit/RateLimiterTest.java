package dev.bulwark.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.ratelimit.spi.Step;
import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private final FakeClock clock = FakeClock.atDefaultEpoch();
  private final InMemoryRateLimitStore memory = InMemoryRateLimitStore.builder().clock(clock).maxKeys(10_000).build();
  private final RateLimitKey alice = RateLimitKey.builder().principal("alice").build();

  private RateLimiter limiter(Quota... quotas) {
    RateLimiter.Builder b = RateLimiter.builder("test", memory).clock(clock);
    for (Quota q : quotas) {
      b.quota(q);
    }
    return b.build();
  }

  @Test
  void burst_isAdmitted_thenDenied_withExactRetryAfter() {
    RateLimiter rl = limiter(Quota.perMinute(60).withBurst(3));
    for (int i = 2; i >= 0; i--) {
      RateLimitDecision d = rl.acquire(alice);
      assertTrue(d.allowed());
      assertEquals(RateLimitDecision.Reason.WITHIN_LIMIT, d.reason());
      assertEquals(i, d.remaining());
    }
    RateLimitDecision denied = rl.acquire(alice);
    assertFalse(denied.allowed());
    assertEquals(RateLimitDecision.Reason.LIMIT_EXCEEDED, denied.reason());
    assertEquals(Duration.ofSeconds(1), denied.retryAfter());
    clock.advance(Duration.ofMillis(999));
    assertTrue(rl.acquire(alice).denied());
    clock.advance(Duration.ofMillis(1));
    assertTrue(rl.acquire(alice).allowed());
    assertTrue(rl.acquire(alice).denied());
  }

  @Test
  void deniedRequests_takeNothing() {
    RateLimiter rl = limiter(Quota.perMinute(60).withBurst(1));
    assertTrue(rl.acquire(alice).allowed());
    for (int i = 0; i < 100; i++) {
      assertTrue(rl.acquire(alice).denied());
    }
    clock.advance(Duration.ofSeconds(1));
    assertTrue(rl.acquire(alice).allowed(), "a hundred denials did not push the next admission back");
  }

  @Test
  void perMinuteAndPerDay_onOneKey_bothHold() {
    RateLimiter rl = limiter(Quota.perMinute(10), Quota.perDay(25));
    int admitted = 0;
    for (int minute = 0; minute < 10; minute++) {
      for (int i = 0; i < 30; i++) {
        if (rl.acquire(alice).allowed()) {
          admitted++;
        }
      }
      clock.advance(Duration.ofMinutes(1));
    }
    // The day quota: burst 25 plus the refill of 10 minutes at 25/day (0.17 units) = 25.
    assertEquals(25, admitted);
    RateLimitDecision d = rl.acquire(alice);
    assertTrue(d.denied());
    assertEquals("day", d.quotas().get(1).quota().name());
    assertEquals(0, d.quotas().get(1).remaining());
    assertEquals(10, d.quotas().get(0).remaining(), "the minute quota is full: denials took nothing");
    // Day interval 3456 s; the 26th unit is due one interval after the burst ran out: 3456 s - 600 s.
    assertEquals(Duration.ofSeconds(3456 - 600), d.retryAfter());
  }

  @Test
  void aDenialByOneQuota_takesNothingFromTheOthers() {
    RateLimiter rl = limiter(Quota.perMinute(100), Quota.of("second", 2, Duration.ofSeconds(1)));
    assertTrue(rl.acquire(alice).allowed());
    assertTrue(rl.acquire(alice).allowed());
    RateLimitDecision d = rl.acquire(alice);
    assertTrue(d.denied());
    assertEquals(98, d.quotas().get(0).remaining());
  }

  @Test
  void cost_takesSeveralUnits_andCostAboveBurst_isATypedError() {
    RateLimiter rl = limiter(Quota.perMinute(60).withBurst(10), Quota.perDay(1000));
    assertEquals(6, rl.acquire(alice, 4).remaining());
    assertTrue(rl.acquire(alice, 7).denied());
    assertTrue(rl.acquire(alice, 6).allowed());
    assertThrows(InvalidLimitException.class, () -> rl.acquire(alice, 11));
    assertThrows(InvalidLimitException.class, () -> rl.acquire(alice, 0));
    assertThrows(InvalidLimitException.class, () -> rl.acquire(alice, -1));
    assertThrows(NullPointerException.class, () -> rl.acquire(null));
  }

  @Test
  void keysAndLimiters_areIndependent() {
    RateLimiter a = limiter(Quota.perMinute(1));
    RateLimiter b = RateLimiter.builder("other", memory).clock(clock).quota(Quota.perMinute(1)).build();
    assertTrue(a.acquire(alice).allowed());
    assertTrue(a.acquire(alice).denied());
    assertTrue(a.acquire(RateLimitKey.of("bob")).allowed());
    assertTrue(b.acquire(alice).allowed(), "another limiter on the same store and key counts apart");
  }

  @Test
  void badConfiguration_failsAtBuild() {
    assertThrows(InvalidLimitException.class, () -> RateLimiter.builder("x", memory).build());
    assertThrows(InvalidLimitException.class,
        () -> RateLimiter.builder("bad name", memory).quota(Quota.perMinute(1)).build());
    assertThrows(InvalidLimitException.class,
        () -> RateLimiter.builder("x", memory).quota(Quota.perMinute(1)).quota(Quota.perMinute(2)).build());
    RateLimiter.Builder nine = RateLimiter.builder("x", memory);
    for (int i = 0; i < 9; i++) {
      nine.quota(Quota.of("q" + i, 1, Duration.ofSeconds(1)));
    }
    assertThrows(InvalidLimitException.class, nine::build);
    assertThrows(InvalidLimitException.class, () -> FailurePolicy.localBudget(0, Duration.ofMinutes(1)));
    assertThrows(InvalidLimitException.class, () -> FailurePolicy.localBudget(2, Duration.ZERO));
    assertThrows(InvalidLimitException.class, () -> FailurePolicy.localBudget(2, Duration.ofDays(2)));
  }

  /** A store that fails on demand, or answers nonsense. */
  private static final class Flaky implements RateLimitStore {
    final RateLimitStore target;
    volatile int mode; // 0 ok, 1 unavailable, 2 runtime exception, 3 null, 4 wrong quota count

    Flaky(RateLimitStore target) {
      this.target = target;
    }

    @Override
    public Step acquire(String key, List<Quota> quotas, long cost) {
      switch (mode) {
        case 1: throw new RateLimitStoreException("down");
        case 2: throw new IllegalStateException("bug");
        case 3: return null;
        case 4: return Step.of(true, 0);
        default: return target.acquire(key, quotas, cost);
      }
    }
  }

  @Test
  void deny_isTheDefault_andEveryFailureKindDenies_withStoreUnavailable() {
    Flaky flaky = new Flaky(memory);
    List<RateLimitEvent> events = new ArrayList<>();
    RateLimiter rl = RateLimiter.builder("deny", flaky).clock(clock).quota(Quota.perMinute(1000))
        .listener(events::add).build();
    assertTrue(rl.failurePolicy().isDeny());
    for (int mode = 1; mode <= 4; mode++) {
      flaky.mode = mode;
      for (int i = 0; i < 50; i++) {
        RateLimitDecision d = rl.acquire(alice);
        assertFalse(d.allowed(), "mode " + mode);
        assertEquals(RateLimitDecision.Reason.STORE_UNAVAILABLE, d.reason());
        assertEquals(Duration.ofSeconds(1), d.retryAfter());
      }
    }
    assertEquals(1, events.size(), "one alarm per outage: " + events);
    assertEquals(RateLimitEvent.Type.STORE_UNAVAILABLE, events.get(0).type());
    assertTrue(events.get(0).detail().contains("down"));
    flaky.mode = 0;
    RateLimitDecision back = rl.acquire(alice);
    assertTrue(back.allowed());
    assertEquals(RateLimitDecision.Reason.WITHIN_LIMIT, back.reason());
    assertEquals(RateLimitEvent.Type.STORE_RECOVERED, events.get(1).type());
  }

  @Test
  void localBudget_admitsAShareOfTheLimit_forABoundedTime_thenDenies() {
    Flaky flaky = new Flaky(memory);
    List<RateLimitEvent> events = new ArrayList<>();
    RateLimiter rl = RateLimiter.builder("budget", flaky).clock(clock)
        .quota(Quota.perMinute(60).withBurst(40))
        .failurePolicy(FailurePolicy.localBudget(4, Duration.ofMinutes(2)))
        .listener(events::add).build();
    flaky.mode = 1;
    int admitted = 0;
    // Local quota: 15 per minute, burst 10. Over 2 minutes of outage: 10 + 2 × 15 = 40 at most.
    for (int second = 0; second < 300; second++) {
      for (int i = 0; i < 5; i++) {
        RateLimitDecision d = rl.acquire(alice);
        assertEquals(RateLimitDecision.Reason.STORE_UNAVAILABLE, d.reason());
        if (d.allowed()) {
          admitted++;
          assertTrue(second <= 120, "no admission after the budget's time: second " + second);
        }
      }
      clock.advance(Duration.ofSeconds(1));
    }
    assertEquals(10 + 2 * 15, admitted, "burst + 120 s / 4 s");
    assertEquals(List.of(RateLimitEvent.Type.STORE_UNAVAILABLE, RateLimitEvent.Type.LOCAL_BUDGET_EXPIRED),
        events.stream().map(RateLimitEvent::type).toList());
  }

  @Test
  void localBudget_thatRoundsToZero_admitsNothing() {
    Flaky flaky = new Flaky(memory);
    flaky.mode = 1;
    RateLimiter rl = RateLimiter.builder("tiny", flaky).clock(clock).quota(Quota.perMinute(3))
        .failurePolicy(FailurePolicy.localBudget(4, Duration.ofMinutes(5))).build();
    for (int i = 0; i < 20; i++) {
      assertTrue(rl.acquire(alice).denied());
    }
  }

  @Test
  void aThrowingListener_changesNoDecision() {
    Flaky flaky = new Flaky(memory);
    AtomicInteger calls = new AtomicInteger();
    RateLimiter rl = RateLimiter.builder("l", flaky).clock(clock).quota(Quota.perMinute(5)).listener(e -> {
      calls.incrementAndGet();
      throw new IllegalStateException("listener bug");
    }).build();
    flaky.mode = 1;
    assertTrue(rl.acquire(alice).denied());
    flaky.mode = 0;
    assertTrue(rl.acquire(alice).allowed());
    assertEquals(2, calls.get());
  }

  @Test
  void aStoreThatThrowsAnError_linkage_isUnavailable() {
    AtomicBoolean called = new AtomicBoolean();
    RateLimitStore broken = (k, q, c) -> {
      called.set(true);
      throw new NoClassDefFoundError("io/lettuce/core/RedisClient");
    };
    RateLimiter rl = RateLimiter.builder("l", broken).quota(Quota.perMinute(5)).build();
    assertEquals(RateLimitDecision.Reason.STORE_UNAVAILABLE, rl.acquire(alice).reason());
    assertTrue(called.get());
  }
}
