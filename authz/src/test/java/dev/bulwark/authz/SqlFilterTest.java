package dev.bulwark.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlFilterTest {

  static final Principal ALICE = Principal.user("alice");
  static final ResourceTable NOTES = ResourceTable.of("document", "n.tenant_id", "id").withAncestors("ancestors");

  @Test
  void requestTextNeverBecomesSql_onlyParameters() throws Exception {
    String evil = "x') OR TRUE; --";
    Authorizer a = AuthorizerTest.compile(AuthorizerTest.base()
        .plus(Binding.of("b1", ALICE, "viewer", evil, Scope.resource("document", evil)))
        .plus(Binding.of("b2", ALICE, "viewer", evil, Scope.subtree("folder", evil))));
    SqlPredicate p = a.sqlFilter(ALICE, "read", evil, NOTES);
    assertFalse(p.sql().contains(evil), p.sql());
    assertEquals("(\"n\".\"tenant_id\" = ? AND ((\"id\" = ?) OR (COALESCE(? = ANY(\"ancestors\"), FALSE))))", p.sql());
    assertEquals(List.of(evil, evil, "folder:" + evil), p.parameters());
  }

  @Test
  void organizationBinding_filtersOnTheTenantOnly_andDenyRulesSubtract() throws Exception {
    Policy base = AuthorizerTest.base().plus(Binding.of("b1", ALICE, "viewer", "acme", Scope.organization()));
    assertEquals("(\"n\".\"tenant_id\" = ?)",
        AuthorizerTest.compile(base).sqlFilter(ALICE, "read", "acme", NOTES).sql());
    Policy withDeny = new Policy("v", base.resourceTypes(), base.roles(), base.groups(),
        List.of(new DenyRule("x", ALICE, new Permission("document", "read"), "acme", Scope.resource("document", "d9"))),
        base.bindings());
    SqlPredicate p = AuthorizerTest.compile(withDeny).sqlFilter(ALICE, "read", "acme", NOTES);
    assertEquals("(\"n\".\"tenant_id\" = ? AND NOT ((\"id\" = ?)))", p.sql());
  }

  @Test
  void whatCheckWouldAlwaysDeny_matchesNothing() throws Exception {
    Authorizer a = AuthorizerTest.compile(AuthorizerTest.base()
        .plus(Binding.of("b1", ALICE, "viewer", "acme", Scope.organization())));
    assertTrue(a.sqlFilter(ALICE, "read", null, NOTES).matchesNothing());
    assertTrue(a.sqlFilter(ALICE, "read", " ", NOTES).matchesNothing());
    assertTrue(a.sqlFilter(ALICE, "share", "acme", NOTES).matchesNothing());
    assertTrue(a.sqlFilter(ALICE, "write", "acme", NOTES).matchesNothing());
    assertTrue(a.sqlFilter(ALICE, "read", "globex", NOTES).matchesNothing());
    assertTrue(a.sqlFilter(Principal.user("bob"), "read", "acme", NOTES).matchesNothing());
  }

  @Test
  void columnNames_areValidated() {
    for (String bad : List.of("tenant id", "\"x\"", "t;drop", "Tenant", "a.b.c", "", "x--")) {
      assertThrows(IllegalArgumentException.class, () -> ResourceTable.of("document", bad, "id"), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> ResourceTable.of("Document", "t", "id"));
  }
}
