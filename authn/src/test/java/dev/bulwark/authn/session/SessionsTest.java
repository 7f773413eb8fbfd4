package dev.bulwark.authn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.testsupport.RecordingListener;
import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionsTest {

  final FakeClock clock = FakeClock.atDefaultEpoch();
  final RecordingListener events = new RecordingListener();
  final InMemorySessionStore store = new InMemorySessionStore(clock);

  Sessions sessions(SessionPolicy policy) {
    return Sessions.builder(store).policy(policy).clock(clock).listener(events).build();
  }

  IssuedSession login(Sessions s, String user) throws SessionException {
    return s.create(user, AssuranceLevel.AAL2, Map.of(Factor.PASSWORD, clock.instant(), Factor.TOTP, clock.instant()));
  }

  @Test
  void nistPresets_matchRev4() {
    assertEquals(Duration.ofHours(24), SessionPolicy.nist(AssuranceLevel.AAL2).absoluteTimeout());
    assertEquals(Duration.ofHours(1), SessionPolicy.nist(AssuranceLevel.AAL2).idleTimeout());
    assertEquals(Duration.ofHours(12), SessionPolicy.nist(AssuranceLevel.AAL3).absoluteTimeout());
    assertEquals(Duration.ofMinutes(15), SessionPolicy.nist(AssuranceLevel.AAL3).idleTimeout());
    assertEquals(Duration.ofDays(30), SessionPolicy.nist(AssuranceLevel.AAL1).absoluteTimeout());
  }

  @Test
  void policy_rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> SessionPolicy.custom(Duration.ofHours(2), Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> SessionPolicy.custom(Duration.ZERO, Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class,
        () -> SessionPolicy.nist(AssuranceLevel.AAL2).withLimit(0, LimitAction.REJECT_NEW));
  }

  @Test
  void session_carriesLevelFactorsAndAuthTime() throws Exception {
    Sessions s = sessions(SessionPolicy.nist(AssuranceLevel.AAL2));
    IssuedSession issued = login(s, "alice");
    Session v = s.validate(issued.token().reveal());
    assertEquals("alice", v.userId());
    assertEquals(AssuranceLevel.AAL2, v.assuranceLevel());
    assertEquals(Map.of(Factor.PASSWORD, clock.instant(), Factor.TOTP, clock.instant()), v.factors());
    assertEquals(clock.instant(), v.authTime());
    assertTrue(events.types().contains(SecurityEventType.SESSION_CREATED));
  }

  @Test
  void store_neverSeesTheToken() throws Exception {
    Sessions s = sessions(SessionPolicy.nist(AssuranceLevel.AAL2));
    IssuedSession issued = login(s, "alice");
    assertTrue(store.find(issued.token().hash()).isPresent());
    assertFalse(store.toString().contains(issued.token().reveal()));
    assertFalse(issued.session().toString().contains(issued.token().reveal()));
  }

  @Test
  void idleTimeout_endsSession_andUseExtendsIt() throws Exception {
    Sessions s = sessions(SessionPolicy.nist(AssuranceLevel.AAL3).withTouchInterval(Duration.ZERO));
    String token = login(s, "alice").token().reveal();
    clock.advance(Duration.ofMinutes(14));
    s.validate(token);
    clock.advance(Duration.ofMinutes(14));
    s.validate(token);
    clock.advance(Duration.ofMinutes(15));
    SessionException e = assertThrows(SessionException.class, () -> s.validate(token));
    assertEquals(SessionException.Reason.IDLE_TIMEOUT, e.reason());
    assertEquals(SessionException.Reason.UNKNOWN, assertThrows(SessionException.class, () -> s.validate(token)).reason());
    assertTrue(events.types().contains(SecurityEventType.SESSION_USE_AFTER_EXPIRE));
  }

  @Test
  void absoluteTimeout_endsSessionEvenWhenActive() throws Exception {
    Sessions s = sessions(SessionPolicy.nist(AssuranceLevel.AAL3));
    String token = login(s, "alice").token().reveal();
    for (int i = 0; i < 12 * 6 - 1; i++) {
      clock.advance(Duration.ofMinutes(10));
      s.validate(token);
    }
    clock.advance(Duration.ofMinutes(10));
    assertEquals(SessionException.Reason.ABSOLUTE_TIMEOUT,
        assertThrows(SessionException.class, () -> s.validate(token)).reason());
  }

  @Test
  void touchInterval_expiresEarlyNeverLate() throws Exception {
    Sessions s = sessions(SessionPolicy.nist(AssuranceLevel.AAL3)); // 15 min idle, 56.25 s touch interval
    assertEquals(Duration.ofMillis(56_250), s.policy().touchInterval());
    String token = login(s, "alice").token().reveal();
    clock.advance(Duration.ofSeconds(56));
    s.validate(token); // not stored: last seen stays at t0
    clock.advance(Duration.ofMinutes(14).plusSeconds(4)); // t0 + 15 min
    assertEquals(SessionException.Reason.IDLE_TIMEOUT, assertThrows(SessionException.class, () -> s.validate(token)).reason());
  }

  @Test
  void limit_rejectNew() throws Exception {
    Sessions s = sessions(SessionPolicy.nist(AssuranceLevel.AAL2).withLimit(2, LimitAction.REJECT_NEW));
    login(s, "alice");
    login(s, "alice");
    SessionException e = assertThrows(SessionException.class, () -> login(s, "alice"));
    assertEquals(SessionException.Reason.LIMIT_REACHED, e.reason());
    assertEquals(2, s.list("alice").size());
    login(s, "bob");
    assertEquals(1, events.count(SecurityEventType.SESSION_LIMIT_REJECTED));
  }

  @Test
  void limit_evictOldest() throws Exception {
    Sessions s = sessions(SessionPolicy.nist(AssuranceLevel.AAL2).withLimit(2, LimitAction.EVICT_OLDEST));
    IssuedSession first = login(s, "alice");
    clock.advance(Duration.ofSeconds(1));
    IssuedSession second = login(s, "alice");
    clock.advance(Duration.ofSeconds(1));
    IssuedSession third = login(s, "alice");
    assertEquals(List.of(first.session()), third.evicted());
    assertEquals(SessionException.Reason.UNKNOWN,
        assertThrows(SessionException.class, () -> s.validate(first.token().reveal())).reason());
    s.validate(second.token().reveal());
    s.validate(third.token().reveal());
    assertEquals(1, events.count(SecurityEventType.SESSION_LIMIT_EVICTED));
  }

  @Test
  void expiredSessions_doNotCountTowardTheLimit() throws Exception {
    Sessions s = sessions(SessionPolicy.nist(AssuranceLevel.AAL3).withLimit(1, LimitAction.REJECT_NEW));
    login(s, "alice");
    clock.advance(Duration.ofMinutes(15));
    login(s, "alice");
    assertEquals(1, s.list("alice").size());
  }

  @Test
  void rotate_killsOldToken_keepsSessionAndDeadlines() throws Exception {
    Sessions s = sessions(SessionPolicy.nist(AssuranceLevel.AAL2));
    IssuedSession a = login(s, "alice");
    clock.advance(Duration.ofMinutes(5));
    IssuedSession b = s.rotate(a.token().reveal());
    assertEquals(a.session().id(), b.session().id());
    assertEquals(a.session().absoluteDeadline(), b.session().absoluteDeadline());
    assertEquals(SessionException.Reason.UNKNOWN,
        assertThrows(SessionException.class, () -> s.validate(a.token().reveal())).reason());
    assertEquals("alice", s.validate(b.token().reveal()).userId());
    assertEquals(SessionException.Reason.UNKNOWN,
        assertThrows(SessionException.class, () -> s.rotate(a.token().reveal())).reason());
  }

  @Test
  void elevate_raisesLevelUntilItExpires_andRotates() throws Exception {
    Sessions s = sessions(SessionPolicy.nist(AssuranceLevel.AAL2).withElevationTimeout(Duration.ofMinutes(10)));
    IssuedSession a = login(s, "alice");
    clock.advance(Duration.ofMinutes(1));
    IssuedSession up = s.elevate(a.token().reveal(), Factor.WEBAUTHN, clock.instant(), AssuranceLevel.AAL3);
    Session v = s.validate(up.token().reveal());
    assertEquals(AssuranceLevel.AAL3, v.levelAt(clock.instant()));
    assertEquals(clock.instant(), v.lastVerified(Factor.WEBAUTHN).orElseThrow());
    assertThrows(SessionException.class, () -> s.validate(a.token().reveal()));
    clock.advance(Duration.ofMinutes(10));
    assertEquals(AssuranceLevel.AAL2, s.validate(up.token().reveal()).levelAt(clock.instant()));
  }

  @Test
  void revokeOne_revokeById_revokeAll() throws Exception {
    Sessions s = sessions(SessionPolicy.nist(AssuranceLevel.AAL2));
    IssuedSession a = login(s, "alice");
    IssuedSession b = login(s, "alice");
    IssuedSession c = login(s, "alice");
    IssuedSession bob = login(s, "bob");
    assertTrue(s.revoke(a.token().reveal()));
    assertFalse(s.revoke(a.token().reveal()));
    assertFalse(s.revoke("garbage"));
    assertFalse(s.revoke("bob", b.session().id()));
    assertTrue(s.revoke("alice", b.session().id()));
    assertThrows(SessionException.class, () -> s.validate(b.token().reveal()));
    assertEquals(1, s.revokeAll("alice"));
    assertThrows(SessionException.class, () -> s.validate(c.token().reveal()));
    s.validate(bob.token().reveal());
  }

  @Test
  void malformedTokens_areTypedFailures_andEmitEvents() {
    Sessions s = sessions(SessionPolicy.nist(AssuranceLevel.AAL2));
    for (String bad : new String[] {null, "", "abc", "x".repeat(43) + "y", "!".repeat(43)}) {
      assertEquals(SessionException.Reason.MALFORMED_TOKEN,
          assertThrows(SessionException.class, () -> s.validate(bad)).reason());
    }
    assertEquals(SessionException.Reason.UNKNOWN,
        assertThrows(SessionException.class, () -> s.validate(SessionToken.generate().reveal())).reason());
    assertEquals(5, events.count(SecurityEventType.TOKEN_INVALID));
  }

  @Test
  void throwingListener_doesNotChangeOutcome() throws Exception {
    Sessions s = Sessions.builder(store).clock(clock).listener(e -> {
      throw new IllegalStateException("audit down");
    }).build();
    IssuedSession a = login(s, "alice");
    s.validate(a.token().reveal());
  }
}
