package dev.bulwark.authz.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class RlsPoliciesTest {

  @Test
  void statements_enableForceAndCheckBothWays() {
    assertEquals(List.of(
        "ALTER TABLE \"app\".\"notes\" ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE \"app\".\"notes\" FORCE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS bulwark_tenant_isolation ON \"app\".\"notes\"",
        "CREATE POLICY bulwark_tenant_isolation ON \"app\".\"notes\" AS PERMISSIVE FOR ALL"
            + " USING (\"org_id\" = NULLIF(current_setting('app.org', true), '')::uuid)"
            + " WITH CHECK (\"org_id\" = NULLIF(current_setting('app.org', true), '')::uuid)"),
        RlsPolicies.forTable("app.notes", "org_id").columnType("uuid").setting("app.org").statements());
  }

  @Test
  void names_areValidated() {
    for (String bad : List.of("notes; DROP TABLE x", "Notes", "a.b.c", "\"n\"", "")) {
      assertThrows(IllegalArgumentException.class, () -> RlsPolicies.forTable(bad, "tenant_id"), bad);
      assertThrows(IllegalArgumentException.class, () -> RlsPolicies.forTable("notes", bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> RlsPolicies.forTable("n", "t").columnType("text); --"));
    assertThrows(IllegalArgumentException.class, () -> RlsPolicies.forTable("n", "t").setting("tenant"));
    assertThrows(IllegalArgumentException.class, () -> RlsPolicies.forTable("n", "t").setting("a.b', true) OR ('"));
  }
}
