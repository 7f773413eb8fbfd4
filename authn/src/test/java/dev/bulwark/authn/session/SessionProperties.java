package dev.bulwark.authn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.testsupport.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class SessionProperties {

  /** For any timeouts and any schedule of uses, validate never succeeds at or after a deadline. */
  @Property(tries = 200)
  void sessionIsNeverValidAfterIdleOrAbsoluteDeadline(
      @ForAll @IntRange(min = 1, max = 120) int idleMinutes,
      @ForAll @IntRange(min = 0, max = 600) int extraAbsoluteMinutes,
      @ForAll @IntRange(min = 0, max = 30) int touchSeconds,
      @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 200) Integer> gapsMinutes) throws Exception {
    TestClock clock = new TestClock();
    Duration idle = Duration.ofMinutes(idleMinutes);
    Duration absolute = idle.plusMinutes(extraAbsoluteMinutes);
    Duration touch = Duration.ofSeconds(Math.min(touchSeconds, idle.toSeconds() - 1));
    SessionPolicy policy = SessionPolicy.custom(idle, absolute).withTouchInterval(touch);
    Sessions s = Sessions.builder(new InMemorySessionStore(clock)).policy(policy).clock(clock).build();
    Instant created = clock.instant();
    String token = s.create("u", AssuranceLevel.AAL2, Map.of(Factor.PASSWORD, created)).token().reveal();
    Instant lastAccepted = created;
    boolean dead = false;
    for (int gap : gapsMinutes) {
      Instant now = clock.advance(Duration.ofMinutes(gap));
      boolean pastAbsolute = !now.isBefore(created.plus(absolute));
      boolean pastIdle = !now.isBefore(lastAccepted.plus(idle));
      if (dead || pastAbsolute || pastIdle) {
        assertThrows(SessionException.class, () -> s.validate(token));
        dead = true;
      } else {
        try {
          s.validate(token);
          lastAccepted = now;
        } catch (SessionException e) {
          // Early expiry is allowed (touch interval): at most touchInterval before the idle deadline.
          assertEquals(SessionException.Reason.IDLE_TIMEOUT, e.reason());
          assertTrue(!now.isBefore(lastAccepted.plus(idle).minus(touch)));
          dead = true;
        }
      }
    }
  }

  /** Parallel logins of one user never leave more live sessions than the limit. */
  @Property(tries = 30)
  void concurrentLimitIsNeverExceeded(
      @ForAll @IntRange(min = 1, max = 4) int limit,
      @ForAll @IntRange(min = 2, max = 24) int logins,
      @ForAll("actions") LimitAction action) throws Exception {
    TestClock clock = new TestClock();
    InMemorySessionStore store = new InMemorySessionStore(clock);
    Sessions s = Sessions.builder(store)
        .policy(SessionPolicy.nist(AssuranceLevel.AAL2).withLimit(limit, action)).clock(clock).build();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < logins; i++) {
        results.add(pool.submit(() -> {
          start.await();
          try {
            s.create("alice", AssuranceLevel.AAL2, Map.of(Factor.PASSWORD, clock.instant()));
            return true;
          } catch (SessionException e) {
            return false;
          }
        }));
      }
      start.countDown();
      int ok = 0;
      for (Future<Boolean> f : results) {
        ok += f.get() ? 1 : 0;
      }
      int live = s.list("alice").size();
      assertTrue(live <= limit, "live " + live + " > limit " + limit);
      assertEquals(Math.min(limit, logins), live);
      if (action == LimitAction.REJECT_NEW) {
        assertEquals(Math.min(limit, logins), ok);
      } else {
        assertEquals(logins, ok);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Provide
  Arbitrary<LimitAction> actions() {
    return Arbitraries.of(LimitAction.class);
  }

  /** Any 43-character string outside the canonical alphabet, or of another length, is MALFORMED. */
  @Property(tries = 300)
  void anyNonTokenTextIsMalformed(@ForAll String text) {
    boolean canonical = text.length() == 43 && text.chars().allMatch(c -> (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
    if (!canonical) {
      assertEquals(SessionException.Reason.MALFORMED_TOKEN,
          assertThrows(SessionException.class, () -> SessionToken.parse(text)).reason());
    }
  }
}
