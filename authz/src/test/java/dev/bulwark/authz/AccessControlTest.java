package dev.bulwark.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AccessControlTest {

  static final Principal ALICE = Principal.user("alice");
  static final Principal FRANK = Principal.user("frank");
  final FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T00:00:00Z"));
  final List<AuthzEvent> events = new ArrayList<>();
  InMemoryAuthzStore store;
  AccessControl ac;

  @BeforeEach
  void setUp() throws Exception {
    store = new InMemoryAuthzStore();
    ac = AccessControl.builder(store).clock(clock).listener(events::add).build();
    ac.loadPolicy(PolicyJson.parse(PolicyJsonTest.GOOD), "ops");
  }

  static Resource doc(String id) {
    return Resource.of("acme", "document", id);
  }

  @Test
  void load_bind_unbind_areStored_reported_andDecideWithTheStoreRevision() throws Exception {
    assertEquals(AuthzEvent.Type.POLICY_LOADED, events.get(0).type());
    assertEquals("ops", events.get(0).actor());
    Binding b = Binding.of("c1", Principal.user("carol"), "viewer", "acme", Scope.organization());
    ac.bind(b, "admin");
    AccessDecision d = ac.authorizer().check(Principal.user("carol"), "read", doc("x"));
    assertTrue(d.allowed());
    assertEquals("2026-12-01.1@r2", d.policyVersion());
    assertTrue(ac.unbind("c1", "admin"));
    assertFalse(ac.unbind("c1", "admin"));
    assertFalse(ac.authorizer().check(Principal.user("carol"), "read", doc("x")).allowed());
    assertEquals(List.of(AuthzEvent.Type.POLICY_LOADED, AuthzEvent.Type.BINDING_ADDED, AuthzEvent.Type.BINDING_REMOVED),
        events.stream().map(AuthzEvent::type).toList());
    assertEquals(3, events.get(2).revision());
  }

  @Test
  void badLoadOrBinding_storesNothing_andReportsNothing() throws Exception {
    var before = store.read();
    assertThrows(PolicyException.class, () -> ac.loadPolicy(PolicyJson.parse(
        PolicyJsonTest.GOOD.replace("\"document:write\"]", "\"document:share\"]")), "ops"));
    assertThrows(PolicyException.class, () -> ac.bind(
        Binding.of("c1", ALICE, "auditor", "acme", Scope.organization()), "admin"));
    // Dropping the editor role while binding b1 still names it is refused.
    Policy p = PolicyJson.parse(PolicyJsonTest.GOOD);
    java.util.Map<String, Role> roles = new java.util.HashMap<>(p.roles());
    roles.remove("editor");
    Policy withoutEditor = new Policy("v2", p.resourceTypes(), roles, p.groups(), p.denies(), List.of());
    PolicyException e = assertThrows(PolicyException.class, () -> ac.loadPolicy(withoutEditor, "ops"));
    assertTrue(e.getMessage().contains("b1"), e.getMessage());
    assertEquals(before, store.read());
    assertEquals(1, events.size());
  }

  @Test
  void reviews_listDue_lapseFailsClosed_certifyRestores_revokeRemoves_withAttribution() throws Exception {
    Instant due = clock.instant().plus(Duration.ofDays(10));
    ac.bind(Binding.of("r1", FRANK, "viewer", "acme", Scope.organization()).withReviewBy(due), "admin");
    ac.bind(Binding.of("r2", Principal.user("dan"), "viewer", "acme", Scope.organization())
        .withReviewBy(due.plus(Duration.ofDays(30))), "admin");
    assertEquals(List.of("r1"), ac.reviewsDue(clock.instant().plus(Duration.ofDays(15))).stream().map(Binding::id).toList());
    assertTrue(ac.authorizer().check(FRANK, "read", doc("x")).allowed());
    clock.set(due);
    assertFalse(ac.authorizer().check(FRANK, "read", doc("x")).allowed(), "an unreviewed binding lapses");
    assertThrows(IllegalArgumentException.class, () -> ac.certify("r1", "frank", due.plus(Duration.ofDays(90)), "me"));
    ac.certify("r1", "rita", due.plus(Duration.ofDays(90)), "still on the team");
    assertTrue(ac.authorizer().check(FRANK, "read", doc("x")).allowed());
    ac.revoke("r2", "rita", "left");
    assertFalse(ac.authorizer().check(Principal.user("dan"), "read", doc("x")).allowed());
    assertEquals(List.of(Review.Outcome.CERTIFIED), ac.reviews("r1").stream().map(Review::outcome).toList());
    assertEquals("rita", ac.reviews("r2").get(0).reviewer());
    AuthzEvent last = events.get(events.size() - 1);
    assertEquals(AuthzEvent.Type.BINDING_REVOKED, last.type());
    assertEquals("rita", last.actor());
    assertTrue(last.detail().contains("left"));
  }

  @Test
  void jitGrant_becomesABindingForExactlyTheGrantWindow() throws Exception {
    JitGrantMapping mapping = (id, subject, target) -> target.equals("role:editor@acme")
        ? Optional.of(Binding.of("jit-" + id, Principal.user(subject), "editor", "acme", Scope.organization()))
        : Optional.empty();
    Instant from = clock.instant();
    Instant until = from.plus(Duration.ofHours(1));
    Binding b = ac.applyJitGrant(mapping, "g1", "erin", "role:editor@acme", from, until, "approver");
    assertEquals(Optional.of(until), b.notAfter());
    assertTrue(ac.authorizer().check(Principal.user("erin"), "write", doc("x")).allowed());
    clock.set(until);
    assertFalse(ac.authorizer().check(Principal.user("erin"), "write", doc("x")).allowed());
    assertThrows(PolicyException.class,
        () -> ac.applyJitGrant(mapping, "g2", "erin", "role:root", from, until, "approver"));
  }

  @Test
  void failingListener_isWrapped_afterTheChangeIsStored() throws Exception {
    AccessControl loud = AccessControl.builder(store).clock(clock).listener(e -> {
      throw new IllegalArgumentException("audit down");
    }).build();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> loud.bind(
        Binding.of("z", ALICE, "viewer", "acme", Scope.organization()), "admin"));
    assertEquals("audit down", e.getCause().getMessage());
    assertTrue(store.read().policy().bindings().stream().anyMatch(b -> b.id().equals("z")));
  }
}
