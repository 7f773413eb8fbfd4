package dev.bulwark.authz.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RlsVerifierIT {

  ReferenceSchema s;

  @BeforeEach
  void setUp() throws Exception {
    s = new ReferenceSchema("authz_rlsv");
  }

  @AfterEach
  void tearDown() throws Exception {
    s.close();
  }

  private Set<RlsVerifier.Kind> kinds() throws Exception {
    return RlsVerifier.verify(s.app(), List.of("notes")).stream().map(RlsVerifier.Finding::kind)
        .collect(Collectors.toSet());
  }

  @Test
  void referenceSchema_passes() throws Exception {
    assertEquals(List.of(), RlsVerifier.verify(s.app(), List.of("notes", s.db.name() + ".notes")));
    RlsVerifier.requireSafe(s.app(), List.of("notes"));
  }

  @Test
  void superuser_isRefused() throws Exception {
    List<RlsVerifier.Finding> f = RlsVerifier.verify(s.db.dataSource(), List.of("notes"));
    assertTrue(f.stream().anyMatch(x -> x.kind() == RlsVerifier.Kind.SUPERUSER), f.toString());
    RlsVerifier.RlsBypassException e = assertThrows(RlsVerifier.RlsBypassException.class,
        () -> RlsVerifier.requireSafe(s.db.dataSource(), List.of("notes")));
    assertTrue(e.getMessage().contains("SUPERUSER"));
  }

  @Test
  void bypassRls_orMembershipOfABypassingRole_isRefused() throws Exception {
    s.db.execute("ALTER ROLE " + s.appRole + " BYPASSRLS");
    assertEquals(Set.of(RlsVerifier.Kind.BYPASSRLS), kinds());
    s.db.execute("ALTER ROLE " + s.appRole + " NOBYPASSRLS", "CREATE ROLE " + s.appRole + "_x NOLOGIN BYPASSRLS",
        "GRANT " + s.appRole + "_x TO " + s.appRole);
    try {
      assertEquals(Set.of(RlsVerifier.Kind.CAN_SET_ROLE_TO_BYPASS), kinds());
    } finally {
      s.db.execute("DROP ROLE " + s.appRole + "_x");
    }
  }

  @Test
  void owningTheTable_isRefused() throws Exception {
    s.db.execute("ALTER TABLE notes OWNER TO " + s.appRole);
    assertEquals(Set.of(RlsVerifier.Kind.OWNS_TABLE), kinds());
  }

  @Test
  void missingForce_disabledRls_missingPolicy_areRefused() throws Exception {
    s.db.execute("ALTER TABLE notes NO FORCE ROW LEVEL SECURITY");
    assertEquals(Set.of(RlsVerifier.Kind.RLS_NOT_FORCED), kinds());
    s.db.execute("ALTER TABLE notes FORCE ROW LEVEL SECURITY", "ALTER TABLE notes DISABLE ROW LEVEL SECURITY");
    assertEquals(Set.of(RlsVerifier.Kind.RLS_DISABLED), kinds());
    s.db.execute("ALTER TABLE notes ENABLE ROW LEVEL SECURITY", "DROP POLICY " + RlsPolicies.POLICY_NAME + " ON notes");
    assertEquals(Set.of(RlsVerifier.Kind.NO_POLICY), kinds());
  }

  @Test
  void policyWithoutWithCheck_isRefused() throws Exception {
    s.db.execute("DROP POLICY " + RlsPolicies.POLICY_NAME + " ON notes",
        "CREATE POLICY lax ON notes USING (" + RlsPolicies.forTable("notes", "tenant_id").condition() + ")");
    assertEquals(Set.of(RlsVerifier.Kind.POLICY_WITHOUT_WITH_CHECK), kinds());
  }

  @Test
  void definerView_andMaterializedView_areRefused() throws Exception {
    s.db.execute("CREATE VIEW notes_owner_v AS SELECT * FROM notes");
    List<RlsVerifier.Finding> f = RlsVerifier.verify(s.app(), List.of("notes"));
    assertEquals(1, f.size(), f.toString());
    assertEquals(RlsVerifier.Kind.VIEW_NOT_SECURITY_INVOKER, f.get(0).kind());
    assertTrue(f.get(0).object().contains("notes_owner_v"));
    s.db.execute("DROP VIEW notes_owner_v", "CREATE MATERIALIZED VIEW notes_m AS SELECT * FROM notes");
    assertEquals(Set.of(RlsVerifier.Kind.MATERIALIZED_VIEW), kinds());
  }

  @Test
  void missingTable_isRefused() throws Exception {
    assertEquals(Set.of(RlsVerifier.Kind.TABLE_MISSING), RlsVerifier.verify(s.app(), List.of("nope")).stream()
        .map(RlsVerifier.Finding::kind).collect(Collectors.toSet()));
  }
}
