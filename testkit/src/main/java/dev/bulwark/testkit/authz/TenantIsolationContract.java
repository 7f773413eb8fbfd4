package dev.bulwark.testkit.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bulwark.authz.jdbc.TenantDataSource;
import dev.bulwark.testing.pg.FixtureDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tenant isolation on the host's own PostgreSQL schema, through the host's application role: two
 * organizations, and organization A can neither read, update, delete nor insert organization B's
 * rows, directly, through the host's views and functions, or by writing B's id into a row; and a
 * pool of two connections alternating between the organizations for 10,000 units of work never
 * shows a row of the wrong one, nor leaves an organization on a connection.
 *
 * <pre>{@code
 * import org.postgresql.ds.PGSimpleDataSource;
 *
 * class NotesIsolationIT extends TenantIsolationContract {
 *   @Override protected Fixture fixture() {
 *     PGSimpleDataSource appRoleDataSource = new PGSimpleDataSource();
 *     appRoleDataSource.setUrl(System.getProperty("test.db.url"));   // the host's test database
 *     appRoleDataSource.setUser("app");                              // as its application role, not the owner
 *     return new Fixture(appRoleDataSource, "notes", "tenant_id", "org-a", "org-b",
 *         List.of("SELECT tenant_id FROM notes_view", "SELECT tenant_id FROM notes_search('')"),
 *         (c, tenant) -> { try (PreparedStatement ps = c.prepareStatement(
 *             "INSERT INTO notes (tenant_id, body) VALUES (?, 'probe')")) {
 *           ps.setString(1, tenant); ps.executeUpdate(); } });
 *   }
 * }
 * }</pre>
 *
 * <p>The host seeds at least one row of each organization before the tests (the contract fails
 * on an empty table: an empty result proves nothing). Tests that write roll back or are refused,
 * so the seeded rows stay as they were; the contract checks that too.
 */
public abstract class TenantIsolationContract {

  /** Inserts one row of the host's table whose tenant column holds {@code tenant}. */
  @FunctionalInterface
  public interface RowInserter {
    void insert(Connection c, String tenant) throws SQLException;
  }

  /**
   * The host's schema as the contract sees it.
   *
   * @param applicationRole connections as the application role (not the owner, not a superuser)
   * @param table a tenant table
   * @param tenantColumn its tenant column (compared as text)
   * @param tenantA one seeded organization
   * @param tenantB another seeded organization
   * @param probes queries over views and functions whose first column is the rows' tenant
   * @param inserter inserts a row for a given tenant value
   */
  public record Fixture(DataSource applicationRole, String table, String tenantColumn, String tenantA,
      String tenantB, List<String> probes, RowInserter inserter) {
    public Fixture {
      Objects.requireNonNull(applicationRole, "applicationRole");
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(tenantColumn, "tenantColumn");
      Objects.requireNonNull(tenantA, "tenantA");
      Objects.requireNonNull(tenantB, "tenantB");
      probes = List.copyOf(probes);
      Objects.requireNonNull(inserter, "inserter");
      if (tenantA.equals(tenantB)) {
        throw new IllegalArgumentException("two different organizations are needed");
      }
    }
  }

  /** Units of work in the pool test; {@code -Dbulwark.authz.units} overrides. */
  protected int poolUnits() {
    return Integer.getInteger("bulwark.authz.units", 10_000);
  }

  /** Called before each test; the rows of both organizations must exist. */
  protected abstract Fixture fixture() throws Exception;

  private Fixture f;
  private TenantDataSource tenants;

  @BeforeEach
  final void setUpFixture() throws Exception {
    f = fixture();
    tenants = new TenantDataSource(f.applicationRole());
  }

  private String selectTenants() {
    return "SELECT " + f.tenantColumn() + "::text FROM " + f.table();
  }

  private static List<String> column(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** A fingerprint of everything organization {@code t} can see in the table. */
  private String snapshot(String t) throws SQLException {
    return tenants.inTenant(t, c -> {
      List<String> rows = column(c, "SELECT x::text FROM " + f.table() + " x ORDER BY 1");
      return rows.size() + ":" + String.join("\n", rows);
    });
  }

  private void assertOnly(String tenant, List<String> seen, String via) {
    assertFalse(seen.isEmpty(), via + ": organization " + tenant + " sees no rows (seed both organizations)");
    for (String s : seen) {
      assertEquals(tenant, s, via + ": organization " + tenant + " sees a row of " + s);
    }
  }

  @Test
  void eachOrganization_readsOnlyItsRows_directlyAndThroughViewsAndFunctions() throws Exception {
    for (String t : List.of(f.tenantA(), f.tenantB())) {
      assertOnly(t, tenants.inTenant(t, c -> column(c, selectTenants())), f.table());
      for (String probe : f.probes()) {
        List<String> seen = tenants.inTenant(t, c -> column(c, probe));
        for (String s : seen) {
          assertEquals(t, s, probe + ": organization " + t + " sees a row of " + s);
        }
      }
      String other = t.equals(f.tenantA()) ? f.tenantB() : f.tenantA();
      int count = tenants.inTenant(t, c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + f.table() + " WHERE "
            + f.tenantColumn() + "::text = ?")) {
          ps.setString(1, other);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
          }
        }
      });
      assertEquals(0, count, "organization " + t + " counts rows of " + other);
    }
  }

  @Test
  void withoutAnOrganization_theApplicationRoleSeesNothing() throws Exception {
    try (Connection c = f.applicationRole().getConnection()) {
      assertEquals(List.of(), column(c, selectTenants()));
      for (String probe : f.probes()) {
        assertEquals(List.of(), column(c, probe), probe);
      }
    }
  }

  @Test
  void organizationA_cannotUpdateOrDeleteRowsOfB() throws Exception {
    String before = snapshot(f.tenantB());
    String beforeA = snapshot(f.tenantA());
    int changed = tenants.inTenant(f.tenantA(), c -> {
      int n = 0;
      try (PreparedStatement ps = c.prepareStatement("UPDATE " + f.table() + " SET " + f.tenantColumn() + " = "
          + f.tenantColumn() + " WHERE " + f.tenantColumn() + "::text = ?")) {
        ps.setString(1, f.tenantB());
        n += ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + f.table() + " WHERE " + f.tenantColumn()
          + "::text = ?")) {
        ps.setString(1, f.tenantB());
        n += ps.executeUpdate();
      }
      return n;
    });
    assertEquals(0, changed, "organization A updated or deleted rows of B");
    assertEquals(before, snapshot(f.tenantB()));
    assertEquals(beforeA, snapshot(f.tenantA()));
  }

  @Test
  void organizationA_cannotMoveItsRowsToB_norInsertRowsForB() throws Exception {
    String before = snapshot(f.tenantB());
    String beforeA = snapshot(f.tenantA());
    expectRefused(() -> tenants.inTenant(f.tenantA(), c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE " + f.table() + " SET " + f.tenantColumn() + " = ?")) {
        ps.setObject(1, f.tenantB(), java.sql.Types.OTHER);
        return ps.executeUpdate();
      }
    }), "moving A's rows into B");
    expectRefused(() -> tenants.inTenant(f.tenantA(), c -> {
      f.inserter().insert(c, f.tenantB());
      return 1;
    }), "inserting a row with B's id as A");
    assertEquals(before, snapshot(f.tenantB()));
    assertEquals(beforeA, snapshot(f.tenantA()));
  }

  private interface Attempt {
    int run() throws SQLException;
  }

  private static void expectRefused(Attempt a, String what) {
    try {
      int n = a.run();
      assertEquals(0, n, what + " changed " + n + " rows");
    } catch (SQLException expected) {
      // Refused by the policy's WITH CHECK (or a constraint): what the contract wants.
      return;
    }
  }

  @Test
  void aPoolOfTwoConnections_alternatingOrganizations_neverShowsTheWrongOne() throws Exception {
    try (TwoConnectionPool pool = new TwoConnectionPool(f.applicationRole())) {
      TenantDataSource pooled = new TenantDataSource(pool);
      SplittableRandom r = new SplittableRandom(Long.getLong("bulwark.seed", 42L));
      int units = poolUnits();
      for (int i = 0; i < units; i++) {
        String t = (i + r.nextInt(2)) % 2 == 0 ? f.tenantA() : f.tenantB();
        String other = t.equals(f.tenantA()) ? f.tenantB() : f.tenantA();
        int mode = r.nextInt(20);
        int unit = i;
        try {
          List<String> seen = pooled.inTenant(t, c -> {
            List<String> rows = column(c, selectTenants());
            if (mode == 0) {
              // A unit that tries to leave the other organization on the connection for the next one.
              try (PreparedStatement ps = c.prepareStatement("SELECT set_config('app.tenant_id', ?, false)")) {
                ps.setString(1, other);
                ps.execute();
              }
            }
            if (mode == 1) {
              throw new SQLException("unit " + unit + " fails on purpose");
            }
            return rows;
          });
          assertFalse(mode == 0, "unit " + i + " switched organization and still committed");
          assertOnly(t, seen, "unit " + i);
        } catch (SQLException e) {
          // Mode 1 fails on purpose; mode 0 must be refused by TenantDataSource (it switched organization).
          if (mode > 1) {
            throw e;
          }
          continue;
        }
      }
      for (Connection raw : pool.physical) {
        assertEquals(List.of(), column(raw, selectTenants()), "a pooled connection kept an organization");
        String left = column(raw, "SELECT current_setting('app.tenant_id', true)").get(0);
        assertTrue(left == null || left.isEmpty(), "a pooled connection kept app.tenant_id = " + left);
      }
    }
  }

  /** Two physical connections handed out in turn; close() returns one to the pool. */
  private static final class TwoConnectionPool extends FixtureDataSource implements AutoCloseable {
    final List<Connection> physical = new ArrayList<>();
    final Deque<Connection> idle = new ArrayDeque<>();

    TwoConnectionPool(DataSource ds) throws SQLException {
      for (int i = 0; i < 2; i++) {
        Connection c = ds.getConnection();
        physical.add(c);
        idle.addLast(c);
      }
    }

    @Override
    public synchronized Connection getConnection() throws SQLException {
      Connection c = idle.pollFirst();
      if (c == null) {
        fail("pool exhausted: a unit of work did not return its connection");
      }
      boolean[] returned = new boolean[1];
      return (Connection) Proxy.newProxyInstance(TenantIsolationContract.class.getClassLoader(),
          new Class<?>[] {Connection.class}, (proxy, m, args) -> {
            if (m.getName().equals("close")) {
              if (!returned[0]) {
                returned[0] = true;
                synchronized (this) {
                  idle.addLast(c);
                }
              }
              return null;
            }
            try {
              return m.invoke(c, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    @Override
    public void close() throws SQLException {
      for (Connection c : physical) {
        c.close();
      }
    }
  }
}
