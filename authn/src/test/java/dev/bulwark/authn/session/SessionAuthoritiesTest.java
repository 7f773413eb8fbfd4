package dev.bulwark.authn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.testsupport.RecordingListener;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** A session carries the authorities its user held at login, unchanged until it is revoked. */
class SessionAuthoritiesTest {

  final FakeClock clock = FakeClock.atDefaultEpoch();
  final RecordingListener events = new RecordingListener();
  final InMemorySessionStore store = new InMemorySessionStore(clock);
  final Sessions sessions = Sessions.builder(store).clock(clock).listener(events).build();

  IssuedSession login(String user, Set<String> authorities) throws SessionException {
    return sessions.create(user, AssuranceLevel.AAL2,
        Map.of(Factor.PASSWORD, clock.instant(), Factor.TOTP, clock.instant()), authorities);
  }

  @Test
  void validate_returnsTheAuthoritiesGivenAtLogin() throws Exception {
    IssuedSession issued = login("alice", Set.of("ROLE_USER", "ROLE_ADMIN"));
    Session s = sessions.validate(issued.token().reveal());
    assertEquals(Set.of("ROLE_ADMIN", "ROLE_USER"), s.authorities());
    assertTrue(s.hasAuthority("ROLE_ADMIN"));
    assertFalse(s.hasAuthority("ROLE_ROOT"));
    assertFalse(s.hasAuthority(null));
    assertEquals(List.of("ROLE_ADMIN", "ROLE_USER"), new ArrayList<>(s.authorities()), "natural order");
    assertThrows(UnsupportedOperationException.class, () -> s.authorities().add("ROLE_ROOT"));
  }

  @Test
  void theCallerCannotChangeTheSetAfterwards() throws Exception {
    Set<String> mine = new HashSet<>(Set.of("ROLE_USER"));
    IssuedSession issued = login("alice", mine);
    mine.add("ROLE_ADMIN");
    assertEquals(Set.of("ROLE_USER"), sessions.validate(issued.token().reveal()).authorities());
  }

  @Test
  void threeArgumentCreate_carriesNone() throws Exception {
    IssuedSession issued = sessions.create("alice", AssuranceLevel.AAL1, Map.of(Factor.PASSWORD, clock.instant()));
    assertEquals(Set.of(), sessions.validate(issued.token().reveal()).authorities());
  }

  @Test
  void rotationAndStepUp_keepThem() throws Exception {
    String token = login("alice", Set.of("ROLE_ADMIN")).token().reveal();
    clock.advance(Duration.ofMinutes(1));
    IssuedSession rotated = sessions.rotate(token);
    assertEquals(Set.of("ROLE_ADMIN"), rotated.session().authorities());
    clock.advance(Duration.ofMinutes(1));
    IssuedSession elevated = sessions.elevate(rotated.token().reveal(), Factor.WEBAUTHN, clock.instant(), AssuranceLevel.AAL3);
    assertEquals(Set.of("ROLE_ADMIN"), elevated.session().authorities());
    assertEquals(Set.of("ROLE_ADMIN"), sessions.validate(elevated.token().reveal()).authorities());
  }

  /** The documented way to withdraw a role: revoke the user's sessions; the next login carries the new set. */
  @Test
  void roleChange_revokeAll_thenTheNextLoginCarriesTheNewSet() throws Exception {
    String a = login("alice", Set.of("ROLE_ADMIN")).token().reveal();
    String b = login("alice", Set.of("ROLE_ADMIN")).token().reveal();
    String other = login("bob", Set.of("ROLE_ADMIN")).token().reveal();
    assertEquals(2, sessions.revokeAll("alice"));
    for (String gone : List.of(a, b)) {
      assertEquals(SessionException.Reason.UNKNOWN,
          assertThrows(SessionException.class, () -> sessions.validate(gone)).reason());
      assertEquals(SessionException.Reason.UNKNOWN,
          assertThrows(SessionException.class, () -> sessions.rotate(gone)).reason());
    }
    assertEquals(Set.of("ROLE_ADMIN"), sessions.validate(other).authorities());
    String fresh = login("alice", Set.of("ROLE_USER")).token().reveal();
    assertEquals(Set.of("ROLE_USER"), sessions.validate(fresh).authorities());
  }

  @Test
  void badAuthorities_areRefused_beforeAnythingIsStored() {
    Set<String> tooMany = new HashSet<>();
    for (int i = 0; i <= Session.MAX_AUTHORITIES; i++) {
      tooMany.add("p" + i);
    }
    List<Set<String>> bad = List.of(tooMany, Set.of(""), Set.of("r".repeat(Session.MAX_AUTHORITY_LENGTH + 1)),
        Set.of("ROLE_ADMIN\nROLE_ROOT"), Set.of("a\u0000b"), Set.of("\u001b[31mred"), Set.of("ROLE_\u202eNIMDA"),
        Set.of("zero\u200bwidth"), Set.of("line\u2028sep"), Set.of("lone\ud800"), Set.of("\udc00"),
        Set.of("tab\there"), Set.of("del\u007f"), Set.of("c1\u0085"));
    for (Set<String> authorities : bad) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> login("alice", authorities));
      for (String a : authorities) {
        assertFalse(a.length() > 1 && e.getMessage().contains(a), "the message repeats the value");
      }
    }
    assertThrows(NullPointerException.class, () -> login("alice", null));
    Set<String> withNull = new HashSet<>();
    withNull.add(null);
    assertThrows(NullPointerException.class, () -> login("alice", withNull));
    assertEquals(0, store.size());
    assertTrue(events.types().isEmpty());
  }

  @Test
  void theLimits_areAccepted() throws Exception {
    Set<String> exact = new TreeSet<>(Set.of("x".repeat(Session.MAX_AUTHORITY_LENGTH), "emoji\ud83d\ude00", "ROLE with spaces"));
    for (int i = 0; exact.size() < Session.MAX_AUTHORITIES; i++) {
      exact.add("SCOPE_résumé:" + i + " 管理");
    }
    assertEquals(Session.MAX_AUTHORITIES, exact.size());
    assertEquals(exact, sessions.validate(login("alice", exact).token().reveal()).authorities());
  }

  /** For any set of hostile names, a name is accepted exactly when the rules allow it, and kept as it was. */
  @Test
  void checkAuthorities_acceptsExactlyWhatTheRulesAllow() {
    PropertyRunner.forAll(500, c -> {
      List<String> names = c.draw("names", Generators.lists(
          Generators.mixOf(Generators.hostileText(0, 12), Generators.identifiers(), Generators.text(0, 300)), 0, 70));
      Set<String> given = new HashSet<>(names);
      boolean allowed = given.size() <= Session.MAX_AUTHORITIES && given.stream().allMatch(SessionAuthoritiesTest::allowed);
      if (allowed) {
        Set<String> kept = Session.checkAuthorities(given);
        assertEquals(given, kept);
        assertEquals(new ArrayList<>(new TreeSet<>(given)), new ArrayList<>(kept));
        assertTrue(kept == Session.checkAuthorities(kept), "an already checked set is not copied again");
      } else {
        assertThrows(IllegalArgumentException.class, () -> Session.checkAuthorities(given));
      }
    });
  }

  /** The rule, written independently of the implementation: no char in Cc, Cf, Zl, Zp or a lone surrogate. */
  private static boolean allowed(String name) {
    if (name.isEmpty() || name.length() > Session.MAX_AUTHORITY_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (Character.isHighSurrogate(ch) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
        int cp = name.codePointAt(i);
        if (Character.getType(cp) == Character.FORMAT) {
          return false;
        }
        i++;
        continue;
      }
      if (Character.isSurrogate(ch) || Character.isISOControl(ch) || Character.getType(ch) == Character.FORMAT
          || ch == '\u2028' || ch == '\u2029') {
        return false;
      }
    }
    return true;
  }

  @Test
  void sessionEquality_includesAuthorities() {
    Instant t = clock.instant();
    Session a = new Session("s1", "alice", AssuranceLevel.AAL1, Map.of(Factor.PASSWORD, t), t, t, t, Duration.ofHours(1),
        t.plus(Duration.ofDays(1)), java.util.Optional.empty(), Map.of(), Set.of("ROLE_USER"));
    Session b = new Session("s1", "alice", AssuranceLevel.AAL1, Map.of(Factor.PASSWORD, t), t, t, t, Duration.ofHours(1),
        t.plus(Duration.ofDays(1)), java.util.Optional.empty(), Map.of(), Set.of("ROLE_USER", "ROLE_ADMIN"));
    assertFalse(a.equals(b));
    assertEquals(a, new Session("s1", "alice", AssuranceLevel.AAL1, Map.of(Factor.PASSWORD, t), t, t, t, Duration.ofHours(1),
        t.plus(Duration.ofDays(1)), java.util.Optional.empty(), Map.of(), new HashSet<>(Set.of("ROLE_USER"))));
    assertEquals(Set.of(), new Session("s1", "alice", AssuranceLevel.AAL1, Map.of(Factor.PASSWORD, t), t, t, t,
        Duration.ofHours(1), t.plus(Duration.ofDays(1)), java.util.Optional.empty()).authorities());
  }
}
