package dev.bulwark.authn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.session.spi.SessionStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.Gen;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SessionProperties {

  /** For any timeouts and any schedule of uses, validate never succeeds at or after a deadline. */
  @Test
  void sessionIsNeverValidAfterIdleOrAbsoluteDeadline() {
    PropertyRunner.forAll(200, c -> {
      int idleMinutes = c.draw("idleMinutes", Generators.ints(1, 120));
      int extraAbsoluteMinutes = c.draw("extraAbsoluteMinutes", Generators.ints(0, 600));
      int touchSeconds = c.draw("touchSeconds", Generators.ints(0, 30));
      List<Integer> gapsMinutes = c.draw("gapsMinutes", Generators.lists(Generators.ints(0, 200), 0, 40));
      FakeClock clock = FakeClock.atDefaultEpoch();
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
    });
  }

  /**
   * Coalesced last-seen writes. For any idle timeout, touch interval (the policy's default or a
   * custom one) and schedule of uses: a validation writes the last-seen time only when the stored
   * one is at least one touch interval old, so writes are at least an interval apart; the stored
   * time never runs ahead of the real last use nor falls a full interval behind it; so the idle
   * deadline the session is judged by is never later than the policy's (last use + idle) and at
   * most one touch interval earlier.
   */
  @Test
  void lastSeenWritesAreCoalesced_andNeverExtendTheIdleDeadline() {
    PropertyRunner.forAll(200, c -> {
      int idleMinutes = c.draw("idleMinutes", Generators.ints(1, 180));
      int touchSeconds = c.draw("touchSeconds", Generators.ints(-1, 120));
      List<Integer> gapsSeconds = c.draw("gapsSeconds", Generators.lists(Generators.ints(0, 400), 0, 60));
      FakeClock clock = FakeClock.atDefaultEpoch();
      Duration idle = Duration.ofMinutes(idleMinutes);
      SessionPolicy policy = SessionPolicy.custom(idle, idle.multipliedBy(100));
      if (touchSeconds >= 0) {
        policy = policy.withTouchInterval(Duration.ofSeconds(Math.min(touchSeconds, idle.toSeconds() - 1)));
      }
      Duration touch = policy.touchInterval();
      assertTrue(touch.compareTo(idle.dividedBy(16)) <= 0 || touchSeconds >= 0, "default is at most idle / 16");
      List<Instant> writes = new ArrayList<>();
      InMemorySessionStore memory = new InMemorySessionStore(clock);
      SessionStore recording = new ForwardingStore(memory) {
        @Override
        public boolean touch(TokenHash hash, Instant at) {
          writes.add(at);
          return super.touch(hash, at);
        }
      };
      Sessions s = Sessions.builder(recording).policy(policy).clock(clock).build();
      IssuedSession issued = s.create("u", AssuranceLevel.AAL2, Map.of(Factor.PASSWORD, clock.instant()));
      String token = issued.token().reveal();
      Instant lastUse = clock.instant();
      for (int gap : gapsSeconds) {
        Instant now = clock.advance(Duration.ofSeconds(gap));
        Session returned;
        try {
          returned = s.validate(token);
        } catch (SessionException e) {
          assertEquals(SessionException.Reason.IDLE_TIMEOUT, e.reason());
          assertTrue(!now.isBefore(lastUse.plus(idle).minus(touch)), "ended more than one touch interval early");
          return;
        }
        assertTrue(now.isBefore(lastUse.plus(idle)), "valid after the policy's idle deadline");
        lastUse = now;
        Session stored = memory.find(issued.token().hash()).orElseThrow();
        assertTrue(!stored.lastSeenAt().isAfter(now), "stored last-seen ahead of the last use");
        assertTrue(touch.isZero() ? stored.lastSeenAt().equals(now) : stored.lastSeenAt().isAfter(now.minus(touch)),
            "stored last-seen a full touch interval behind");
        assertTrue(!stored.idleDeadline().isAfter(now.plus(idle)), "idle deadline beyond the policy's");
        assertTrue(!returned.idleDeadline().isAfter(now.plus(idle)), "returned deadline beyond the policy's");
      }
      for (int i = 1; i < writes.size(); i++) {
        assertTrue(!writes.get(i).isBefore(writes.get(i - 1).plus(touch)), "two writes within one touch interval");
      }
    });
  }

  /** Delegates every call; tests override what they observe. */
  private static class ForwardingStore implements SessionStore {
    private final SessionStore delegate;

    ForwardingStore(SessionStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public CreateResult create(TokenHash hash, Session session, int max, LimitAction onLimit, Instant now) {
      return delegate.create(hash, session, max, onLimit, now);
    }

    @Override
    public java.util.Optional<Session> find(TokenHash hash) {
      return delegate.find(hash);
    }

    @Override
    public boolean touch(TokenHash hash, Instant at) {
      return delegate.touch(hash, at);
    }

    @Override
    public boolean replace(TokenHash oldHash, TokenHash newHash, Session session) {
      return delegate.replace(oldHash, newHash, session);
    }

    @Override
    public java.util.Optional<Session> delete(TokenHash hash) {
      return delegate.delete(hash);
    }

    @Override
    public java.util.Optional<Session> deleteById(String userId, String sessionId) {
      return delegate.deleteById(userId, sessionId);
    }

    @Override
    public List<Session> deleteAll(String userId) {
      return delegate.deleteAll(userId);
    }

    @Override
    public List<Session> list(String userId, Instant now) {
      return delegate.list(userId, now);
    }
  }

  /** Parallel logins of one user never leave more live sessions than the limit. */
  @Test
  void concurrentLimitIsNeverExceeded() {
    PropertyRunner.forAll(30, c -> {
      int limit = c.draw("limit", Generators.ints(1, 4));
      int logins = c.draw("logins", Generators.ints(2, 24));
      LimitAction action = c.draw("action", actions());
      FakeClock clock = FakeClock.atDefaultEpoch();
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
    });
  }

  static Gen<LimitAction> actions() {
    return Generators.oneOf(LimitAction.values());
  }


  /**
   * The token parser agrees with the JDK's base64url decoder: every 43-character string over the
   * alphabet is accepted exactly when it is the canonical encoding of 32 bytes, and then yields
   * those bytes (so the stored hash is the SHA-256 of exactly what the client holds).
   */
  @Test
  void parserAgreesWithTheJdkDecoder() {
    PropertyRunner.forAll(2000, c -> {
      String text = c.draw("text", alphabetTexts());
      byte[] decoded = java.util.Base64.getUrlDecoder().decode(text);
      boolean canonical = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(decoded).equals(text);
      if (canonical) {
        byte[] expected = java.security.MessageDigest.getInstance("SHA-256").digest(decoded);
        assertTrue(java.util.Arrays.equals(expected, SessionToken.parse(text).hash().bytes()));
        assertEquals(text, SessionToken.parse(text).reveal());
      } else {
        assertEquals(SessionException.Reason.MALFORMED_TOKEN,
            assertThrows(SessionException.class, () -> SessionToken.parse(text)).reason());
      }
    });
  }

  static Gen<String> alphabetTexts() {
    return Generators.strings("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 43, 43);
  }


  /** Any 43-character string outside the canonical alphabet, or of another length, is MALFORMED. */
  @Test
  void anyNonTokenTextIsMalformed() {
    PropertyRunner.forAll(300, tc -> {
      String text = tc.draw("text", Generators.text(0, 255));
      boolean canonical = text.length() == 43 && text.chars().allMatch(c -> (c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
      if (!canonical) {
        assertEquals(SessionException.Reason.MALFORMED_TOKEN,
            assertThrows(SessionException.class, () -> SessionToken.parse(text)).reason());
      }
    });
  }
}
