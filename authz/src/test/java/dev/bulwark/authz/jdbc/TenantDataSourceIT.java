package dev.bulwark.authz.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.pg.TestPool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TenantDataSourceIT {

  ReferenceSchema s;
  Connection physical;
  TenantDataSource tenants;

  @BeforeEach
  void setUp() throws Exception {
    s = new ReferenceSchema("authz_tds");
    physical = s.app().getConnection();
    tenants = new TenantDataSource(TestPool.lending(physical));
  }

  @AfterEach
  void tearDown() throws Exception {
    physical.close();
    s.close();
  }

  static List<String> tenantsSeen(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private String settingOnPhysical() throws SQLException {
    try (Statement st = physical.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_setting('app.tenant_id', true)")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void unitOfWork_seesOnlyItsTenant_andLeavesNoTenantBehind() throws Exception {
    assertEquals(List.of("a", "a"), tenants.inTenant("a", c -> tenantsSeen(c, "SELECT tenant_id FROM notes ORDER BY id")));
    assertEquals(3, tenants.inTenant("b", c -> tenantsSeen(c, "SELECT tenant_id FROM notes_v")).size());
    String left = settingOnPhysical();
    assertTrue(left == null || left.isEmpty(), left);
    assertEquals(List.of(), tenantsSeen(physical, "SELECT tenant_id FROM notes"));
    assertTrue(physical.getAutoCommit());
  }

  @Test
  void unitThatSwitchesOrganization_fails_andLeavesNothing() throws Exception {
    SQLException e = assertThrows(SQLException.class, () -> tenants.inTenant("a", c -> {
      try (Statement st = c.createStatement()) {
        st.execute("DELETE FROM notes");
        st.execute("SET app.tenant_id = 'b'");
      }
      return tenantsSeen(c, "SELECT tenant_id FROM notes");
    }));
    assertTrue(e.getMessage().contains("changed app.tenant_id"), e.getMessage());
    assertEquals(2, tenants.inTenant("a", c -> tenantsSeen(c, "SELECT tenant_id FROM notes")).size());
    assertEquals(3, tenants.inTenant("b", c -> tenantsSeen(c, "SELECT tenant_id FROM notes")).size());
    String left = settingOnPhysical();
    assertTrue(left == null || left.isEmpty(), left);
    assertEquals(List.of(), tenantsSeen(physical, "SELECT tenant_id FROM notes"));
  }

  @Test
  void failingUnit_rollsBack_andLeavesNoTenant() throws Exception {
    assertThrows(SQLException.class, () -> tenants.inTenant("a", c -> {
      try (Statement st = c.createStatement()) {
        st.execute("DELETE FROM notes");
        st.execute("SELECT set_config('app.tenant_id', 'b', false)");
        st.execute("SELECT 1/0");
      }
      return null;
    }));
    assertEquals(2, tenants.inTenant("a", c -> tenantsSeen(c, "SELECT tenant_id FROM notes")).size());
    String left = settingOnPhysical();
    assertTrue(left == null || left.isEmpty(), left);
  }

  @Test
  void autocommit_commit_close_unwrap_areRefused_andTheConnectionDiesWithTheUnit() throws Exception {
    Connection[] leaked = new Connection[1];
    tenants.inTenant("a", c -> {
      assertThrows(SQLException.class, () -> c.setAutoCommit(true));
      assertThrows(SQLException.class, c::commit);
      assertThrows(SQLException.class, c::rollback);
      assertThrows(SQLException.class, c::close);
      assertThrows(SQLException.class, () -> c.unwrap(Connection.class));
      leaked[0] = c;
      return null;
    });
    assertThrows(SQLException.class, () -> leaked[0].createStatement());
    assertThrows(IllegalArgumentException.class, () -> tenants.inTenant(null, c -> null));
    assertThrows(IllegalArgumentException.class, () -> tenants.inTenant(" ", c -> null));
  }

  @Test
  void query_readsOneOrganizationInOneRoundTrip_andLeavesNothing() throws Exception {
    List<String> a = tenants.query("a", "SELECT tenant_id, body FROM notes WHERE body <> ? ORDER BY id",
        (ps, i) -> ps.setString(i, "a2"), rs -> rs.getString(1) + "/" + rs.getString(2));
    assertEquals(List.of("a/a1"), a);
    assertEquals(3, tenants.query("b", "SELECT tenant_id FROM notes_v", (ps, i) -> { }, rs -> rs.getString(1)).size());
    String left = settingOnPhysical();
    assertTrue(left == null || left.isEmpty(), left);
    assertEquals(List.of(), tenantsSeen(physical, "SELECT tenant_id FROM notes"));
    tenants.query("a", "SELECT set_config('app.tenant_id', 'b', false)", (ps, i) -> { }, rs -> 1);
    left = settingOnPhysical();
    assertTrue(left == null || left.isEmpty(), left);
    assertThrows(IllegalArgumentException.class,
        () -> tenants.query("a", "SELECT 1; SET app.tenant_id = 'b'", (ps, i) -> { }, rs -> 1));
    assertThrows(IllegalArgumentException.class,
        () -> tenants.query("a", "DELETE FROM notes", (ps, i) -> { }, rs -> 1));
    assertThrows(IllegalArgumentException.class, () -> tenants.query(null, "SELECT 1", (ps, i) -> { }, rs -> 1));
  }

  @Test
  void forgedTenantOnInsert_isRefusedByWithCheck() throws Exception {
    SQLException e = assertThrows(SQLException.class, () -> tenants.inTenant("a", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO notes (tenant_id, body) VALUES (?, 'x')")) {
        ps.setString(1, "b");
        return ps.executeUpdate();
      }
    }));
    assertTrue(e.getMessage().contains("row-level security"), e.getMessage());
    assertEquals(3, tenants.inTenant("b", c -> tenantsSeen(c, "SELECT tenant_id FROM notes")).size());
  }
}
