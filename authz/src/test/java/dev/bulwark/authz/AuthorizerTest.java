package dev.bulwark.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuthorizerTest {

  static final Principal ALICE = Principal.user("alice");
  static final Principal BOB = Principal.user("bob");
  static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  static Policy base() {
    return new Policy("v1",
        Map.of("document", Set.of("read", "write", "delete"), "folder", Set.of("read", "write")),
        Map.of("viewer", new Role("viewer", Set.of(new Permission("document", "read"), new Permission("folder", "read")),
                Set.of()),
            "editor", new Role("editor", Set.of(new Permission("document", "write")), Set.of("viewer")),
            "owner", new Role("owner", Set.of(new Permission("document", "delete")), Set.of("editor"))),
        Map.of("eng", Set.of(ALICE, Principal.service("ci"))),
        List.of(), List.of());
  }

  static Authorizer compile(Policy p) throws PolicyException {
    return Authorizer.compile(p, Clock.fixed(T0, ZoneOffset.UTC));
  }

  static Resource doc(String tenant, String id) {
    return Resource.of(tenant, "document", id);
  }

  @Test
  void noBinding_isDeniedByDefault() throws Exception {
    AccessDecision d = compile(base()).check(ALICE, "read", doc("acme", "d1"));
    assertFalse(d.allowed());
    assertEquals(AccessDecision.Reason.NO_MATCHING_BINDING, d.reason());
    assertEquals("v1", d.policyVersion());
  }

  @Test
  void binding_allowsInItsOrganizationOnly_withInheritedPermissions() throws Exception {
    Authorizer a = compile(base().plus(Binding.of("b1", ALICE, "owner", "acme", Scope.organization())));
    AccessDecision d = a.check(ALICE, "read", doc("acme", "d1"));
    assertTrue(d.allowed());
    assertEquals(List.of("b1"), d.matchedRules());
    assertEquals("v1", d.policyVersion());
    assertTrue(a.check(ALICE, "delete", doc("acme", "d1")).allowed());
    assertFalse(a.check(ALICE, "read", doc("globex", "d1")).allowed());
    assertFalse(a.check(BOB, "read", doc("acme", "d1")).allowed());
  }

  @Test
  void viewer_cannotWrite() throws Exception {
    Authorizer a = compile(base().plus(Binding.of("b1", ALICE, "viewer", "acme", Scope.organization())));
    assertTrue(a.check(ALICE, "read", doc("acme", "d1")).allowed());
    assertEquals(AccessDecision.Reason.NO_MATCHING_BINDING, a.check(ALICE, "write", doc("acme", "d1")).reason());
  }

  @Test
  void denyRule_winsOverBinding_andNamesTheRule() throws Exception {
    Policy p = base().plus(Binding.of("b1", ALICE, "owner", "acme", Scope.organization()));
    p = new Policy("v2", p.resourceTypes(), p.roles(), p.groups(),
        List.of(new DenyRule("no-delete", Principal.group("eng"), new Permission("document", "delete"), "acme",
            Scope.subtree("folder", "legal"))),
        p.bindings());
    Authorizer a = compile(p);
    AccessDecision d = a.check(ALICE, "delete", doc("acme", "d1").under("folder:legal"));
    assertFalse(d.allowed());
    assertEquals(AccessDecision.Reason.DENIED_BY_RULE, d.reason());
    assertEquals(List.of("no-delete"), d.matchedRules());
    assertEquals("v2", d.policyVersion());
    assertTrue(a.check(ALICE, "delete", doc("acme", "d2").under("folder:public")).allowed());
  }

  @Test
  void groupBinding_appliesToMembers() throws Exception {
    Authorizer a = compile(base().plus(Binding.of("b1", Principal.group("eng"), "viewer", "acme", Scope.organization())));
    assertTrue(a.check(ALICE, "read", doc("acme", "x")).allowed());
    assertTrue(a.check(Principal.service("ci"), "read", doc("acme", "x")).allowed());
    assertFalse(a.check(BOB, "read", doc("acme", "x")).allowed());
  }

  @Test
  void resourceAndSubtreeScopes() throws Exception {
    Authorizer a = compile(base()
        .plus(Binding.of("one", ALICE, "editor", "acme", Scope.resource("document", "d1")))
        .plus(Binding.of("tree", BOB, "viewer", "acme", Scope.subtree("folder", "f1"))));
    assertTrue(a.check(ALICE, "write", doc("acme", "d1")).allowed());
    assertFalse(a.check(ALICE, "write", doc("acme", "d2")).allowed());
    assertTrue(a.check(BOB, "read", doc("acme", "d9").under("folder:root", "folder:f1")).allowed());
    assertTrue(a.check(BOB, "read", Resource.of("acme", "folder", "f1")).allowed());
    assertFalse(a.check(BOB, "read", doc("acme", "d9").under("folder:f2")).allowed());
    // Same id, other type: a folder scope never matches a document named like it.
    assertFalse(a.check(BOB, "read", doc("acme", "f1")).allowed());
  }

  @Test
  void missingTenant_unknownTypeOrAction_areDeniedWithWhy() throws Exception {
    Authorizer a = compile(base().plus(Binding.of("b1", ALICE, "owner", "acme", Scope.organization())));
    assertEquals(AccessDecision.Reason.NO_TENANT, a.check(ALICE, "read", doc(null, "d1")).reason());
    assertEquals(AccessDecision.Reason.NO_TENANT, a.check(ALICE, "read", doc(" ", "d1")).reason());
    assertEquals(AccessDecision.Reason.UNKNOWN_RESOURCE_TYPE, a.check(ALICE, "read", Resource.of("acme", "invoice", "i")).reason());
    assertEquals(AccessDecision.Reason.UNKNOWN_ACTION, a.check(ALICE, "share", doc("acme", "d1")).reason());
    assertEquals(AccessDecision.Reason.INVALID_REQUEST, a.check(null, "read", doc("acme", "d1")).reason());
  }

  @Test
  void bindingToUnknownRole_deniesThatPrincipalThere_evenWithAnotherGrant() throws Exception {
    Authorizer a = compile(base()
        .plus(Binding.of("good", ALICE, "owner", "acme", Scope.organization()))
        .plus(Binding.of("stale", ALICE, "auditor", "acme", Scope.organization()))
        .plus(Binding.of("other", ALICE, "viewer", "globex", Scope.organization())));
    AccessDecision d = a.check(ALICE, "read", doc("acme", "d1"));
    assertFalse(d.allowed());
    assertEquals(AccessDecision.Reason.UNKNOWN_ROLE, d.reason());
    assertEquals(List.of("stale"), d.matchedRules());
    assertTrue(a.check(ALICE, "read", doc("globex", "d1")).allowed());
  }

  @Test
  void timeBoundAndReviewDatedBindings_lapse() throws Exception {
    Binding jit = Binding.of("jit", ALICE, "editor", "acme", Scope.organization())
        .withWindow(T0.minusSeconds(60), T0.plusSeconds(10));
    Binding later = Binding.of("later", BOB, "editor", "acme", Scope.organization())
        .withWindow(T0.plusSeconds(1), T0.plusSeconds(60));
    Binding overdue = Binding.of("overdue", Principal.user("carol"), "editor", "acme", Scope.organization())
        .withReviewBy(T0);
    Policy p = base().plus(jit).plus(later).plus(overdue);
    assertTrue(compile(p).check(ALICE, "write", doc("acme", "d")).allowed());
    assertFalse(compile(p).check(BOB, "write", doc("acme", "d")).allowed());
    assertFalse(compile(p).check(Principal.user("carol"), "write", doc("acme", "d")).allowed());
    Authorizer expired = Authorizer.compile(p, Clock.fixed(T0.plus(Duration.ofSeconds(30)), ZoneOffset.UTC));
    assertFalse(expired.check(ALICE, "write", doc("acme", "d")).allowed());
    assertTrue(expired.check(BOB, "write", doc("acme", "d")).allowed());
  }

  @Test
  void inheritanceCycle_isRejectedAtLoad_withThePath() {
    Policy p = base();
    Map<String, Role> roles = new java.util.HashMap<>(p.roles());
    roles.put("viewer", new Role("viewer", Set.of(new Permission("document", "read")), Set.of("owner")));
    Policy cyclic = new Policy("v", p.resourceTypes(), roles, p.groups(), List.of(), List.of());
    PolicyException e = assertThrows(PolicyException.class, () -> compile(cyclic));
    assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    assertTrue(e.path().startsWith("roles."), e.path());
  }

  @Test
  void unknownPermission_nestedGroup_unknownInheritedRole_areRejectedAtLoad() {
    Policy p = base();
    Map<String, Role> roles = new java.util.HashMap<>(p.roles());
    roles.put("bad", Role.of("bad", new Permission("document", "share")));
    PolicyException e = assertThrows(PolicyException.class,
        () -> compile(new Policy("v", p.resourceTypes(), roles, p.groups(), List.of(), List.of())));
    assertEquals("roles.bad.permissions", e.path());
    Map<String, Role> roles2 = new java.util.HashMap<>(p.roles());
    roles2.put("bad", new Role("bad", Set.of(), Set.of("ghost")));
    assertThrows(PolicyException.class,
        () -> compile(new Policy("v", p.resourceTypes(), roles2, p.groups(), List.of(), List.of())));
    assertThrows(PolicyException.class, () -> compile(new Policy("v", p.resourceTypes(), p.roles(),
        Map.of("outer", Set.of(Principal.group("eng")), "eng", Set.of(ALICE)), List.of(), List.of())));
  }

  @Test
  void deepInheritance_isRejected_butALongChainWithinTheLimitLoads() throws Exception {
    Policy p = base();
    Map<String, Role> roles = new java.util.HashMap<>(p.roles());
    for (int i = 0; i < 40; i++) {
      roles.put("r" + i, new Role("r" + i, Set.of(new Permission("document", "read")),
          i == 0 ? Set.of() : Set.of("r" + (i - 1))));
    }
    assertThrows(PolicyException.class,
        () -> compile(new Policy("v", p.resourceTypes(), roles, p.groups(), List.of(), List.of())));
    roles.keySet().removeIf(k -> k.startsWith("r") && Integer.parseInt(k.substring(1)) >= 20);
    Authorizer a = compile(new Policy("v", p.resourceTypes(), roles, p.groups(), List.of(),
        List.of(Binding.of("b", ALICE, "r19", "acme", Scope.organization()))));
    assertTrue(a.check(ALICE, "read", doc("acme", "x")).allowed());
  }
}
