package dev.bulwark.authn.grant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.testsupport.RecordingListener;
import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GrantsTest {

  final FakeClock clock = FakeClock.atDefaultEpoch();
  final RecordingListener events = new RecordingListener();
  final Grants grants = new Grants(new InMemoryGrantStore(), GrantPolicy.defaults(), clock, events);

  @Test
  void fullLifecycle_requestApproveExpire_withEvents() throws Exception {
    Grant g = grants.request("bob", "role:db-admin", "INC-4711 restore backup", Duration.ofHours(1));
    assertEquals(GrantState.PENDING, g.state());
    assertFalse(grants.mayNow("bob", "role:db-admin"));
    clock.advance(Duration.ofMinutes(3));
    Grant a = grants.approve(g.id(), "alice");
    assertEquals(clock.instant(), a.activeFrom().orElseThrow());
    assertTrue(grants.mayNow("bob", "role:db-admin"));
    assertEquals(Set.of("role:db-admin"), grants.targetsFor("bob"));
    assertFalse(grants.mayNow("bob", "role:other"));
    assertFalse(grants.mayNow("alice", "role:db-admin"));
    clock.advance(Duration.ofMinutes(59));
    assertTrue(grants.mayNow("bob", "role:db-admin"));
    clock.advance(Duration.ofMinutes(1));
    assertFalse(grants.mayNow("bob", "role:db-admin"));
    assertEquals(1, grants.expireDue());
    assertEquals(GrantState.EXPIRED, grants.lookup(g.id()).orElseThrow().state());
    assertEquals(List.of(SecurityEventType.GRANT_REQUESTED, SecurityEventType.GRANT_APPROVED, SecurityEventType.GRANT_EXPIRED),
        events.types());
  }

  @Test
  void selfApproval_isRefused() throws Exception {
    Grant g = grants.request("bob", "role:db-admin", "why not", Duration.ofHours(1));
    GrantException e = assertThrows(GrantException.class, () -> grants.approve(g.id(), "bob"));
    assertEquals(GrantException.Reason.SELF_APPROVAL, e.reason());
    assertEquals(GrantState.PENDING, grants.lookup(g.id()).orElseThrow().state());
    assertEquals(GrantException.Reason.SELF_APPROVAL, assertThrows(GrantException.class, () -> grants.deny(g.id(), "bob")).reason());
  }

  @Test
  void durationBeyondPolicy_isRefused() {
    GrantException e = assertThrows(GrantException.class,
        () -> grants.request("bob", "role:x", "long", Duration.ofHours(8).plusSeconds(1)));
    assertEquals(GrantException.Reason.DURATION_TOO_LONG, e.reason());
  }

  @Test
  void deny_thenApprove_isWrongState() throws Exception {
    Grant g = grants.request("bob", "role:x", "why", Duration.ofHours(1));
    grants.deny(g.id(), "alice");
    assertEquals(GrantException.Reason.WRONG_STATE, assertThrows(GrantException.class, () -> grants.approve(g.id(), "carol")).reason());
    assertFalse(grants.mayNow("bob", "role:x"));
    assertTrue(events.types().contains(SecurityEventType.GRANT_DENIED));
  }

  @Test
  void earlyRevoke_endsAccessNow() throws Exception {
    Grant g = grants.request("bob", "role:x", "why", Duration.ofHours(2));
    grants.approve(g.id(), "alice");
    clock.advance(Duration.ofMinutes(10));
    Grant r = grants.revoke(g.id(), "alice");
    assertEquals(clock.instant(), r.activeUntil().orElseThrow());
    assertFalse(grants.mayNow("bob", "role:x"));
    assertEquals(GrantException.Reason.WRONG_STATE, assertThrows(GrantException.class, () -> grants.revoke(g.id(), "alice")).reason());
    assertTrue(events.types().contains(SecurityEventType.GRANT_REVOKED));
  }

  @Test
  void pendingTooLong_expires() throws Exception {
    Grant g = grants.request("bob", "role:x", "why", Duration.ofHours(1));
    clock.advance(Duration.ofHours(24));
    assertEquals(GrantException.Reason.WRONG_STATE, assertThrows(GrantException.class, () -> grants.approve(g.id(), "alice")).reason());
    assertEquals(GrantState.EXPIRED, grants.lookup(g.id()).orElseThrow().state());
  }

  @Test
  void unknownGrant_isTyped() {
    assertEquals(GrantException.Reason.UNKNOWN, assertThrows(GrantException.class, () -> grants.approve("nope", "alice")).reason());
  }

  @Test
  void badText_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> grants.request("bob", "role:x", " ", Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> grants.request("bob", "role:\nx", "why", Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> grants.request("", "role:x", "why", Duration.ofHours(1)));
  }
}
