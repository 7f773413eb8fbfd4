package dev.bulwark.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.bulwark.testing.pg.PostgresSchema;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * For random policies, bindings, deny rules, rows and requests, the rows that
 * {@link Authorizer#sqlFilter} returns from real PostgreSQL are exactly the rows
 * {@link Authorizer#check} allows. Seed: {@code -Dbulwark.seed}; cases: {@code -Dbulwark.cases}.
 */
class SqlFilterEquivalenceIT {

  static final long SEED = Long.getLong("bulwark.seed", 0x5eed_a17bL);
  static final int CASES = Integer.getInteger("bulwark.cases", 1_000);
  static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  static final String[] TENANTS = {"t0", "t1", "t'2"};
  static final String[] USERS = {"u0", "u1", "u2", "u3"};
  static final String[] DOCS = {"d0", "d1", "d2", "d'3", "d4; DROP TABLE docs; --"};
  static final String[] FOLDERS = {"f0", "f1", "f2", "f3"};
  static final List<String> ACTIONS = List.of("read", "write", "delete");

  static PostgresSchema db;
  static final ResourceTable DOCS_TABLE = ResourceTable.of("document", "tenant_id", "id").withAncestors("ancestors");

  @BeforeAll
  static void createTable() throws Exception {
    db = PostgresSchema.create("authz_sql");
    db.execute("CREATE TABLE docs (rowno int PRIMARY KEY, tenant_id text, id text NOT NULL, ancestors text[])");
  }

  @AfterAll
  static void drop() throws Exception {
    db.close();
  }

  record Row(int rowno, String tenant, String id, List<String> ancestors) {}

  @Test
  void predicateReturnsExactlyTheRowsCheckAllows() throws Exception {
    SplittableRandom seeds = new SplittableRandom(SEED);
    int nonEmpty = 0;
    int partial = 0;
    try (Connection c = db.dataSource().getConnection()) {
      for (int n = 0; n < CASES; n++) {
        SplittableRandom r = seeds.split();
        String where = "seed " + SEED + " case " + n;
        Policy policy = randomPolicy(r);
        Authorizer a = Authorizer.compile(policy, Clock.fixed(NOW, ZoneOffset.UTC));
        List<Row> rows = randomRows(r);
        try (Statement s = c.createStatement()) {
          s.execute("TRUNCATE docs");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO docs VALUES (?, ?, ?, ?)")) {
          for (Row row : rows) {
            ps.setInt(1, row.rowno());
            ps.setString(2, row.tenant());
            ps.setString(3, row.id());
            if (row.ancestors() == null) {
              ps.setNull(4, Types.ARRAY);
            } else {
              Array arr = c.createArrayOf("text", row.ancestors().toArray());
              ps.setArray(4, arr);
            }
            ps.addBatch();
          }
          ps.executeBatch();
        }
        for (int q = 0; q < 4; q++) {
          Principal who = Principal.user(USERS[r.nextInt(USERS.length)]);
          String action = r.nextInt(20) == 0 ? "share" : ACTIONS.get(r.nextInt(ACTIONS.size()));
          String tenant = r.nextInt(15) == 0 ? null : TENANTS[r.nextInt(TENANTS.length)];
          if (!policy.bindings().isEmpty() && r.nextInt(3) != 0) {
            // Mostly ask about someone who holds a binding, where it holds: the interesting cases.
            Binding b = policy.bindings().get(r.nextInt(policy.bindings().size()));
            if (b.principal().kind() == Principal.Kind.USER) {
              who = b.principal();
            }
            tenant = b.tenant();
          }
          Set<Integer> expected = new TreeSet<>();
          for (Row row : rows) {
            List<String> anc = row.ancestors() == null ? List.of() : row.ancestors();
            // The query is for one organization: a row of another organization is never listed.
            if (tenant != null && tenant.equals(row.tenant())
                && a.check(who, action, new Resource(row.tenant(), "document", row.id(), anc)).allowed()) {
              expected.add(row.rowno());
            }
          }
          SqlPredicate p = a.sqlFilter(who, action, tenant, DOCS_TABLE);
          Set<Integer> actual = new TreeSet<>();
          try (PreparedStatement ps = c.prepareStatement("SELECT rowno FROM docs WHERE " + p.sql())) {
            p.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                actual.add(rs.getInt(1));
              }
            }
          }
          assertEquals(expected, actual, where + " query " + q + ": " + who + " " + action + " in " + tenant
              + "\npredicate " + p + "\npolicy " + PolicyJson.write(policy) + "\nrows " + rows);
          if (!expected.isEmpty()) {
            nonEmpty++;
          }
          long inTenant = 0;
          for (Row row : rows) {
            inTenant += tenant != null && tenant.equals(row.tenant()) ? 1 : 0;
          }
          if (!expected.isEmpty() && expected.size() < inTenant) {
            partial++;
          }
        }
      }
    }
    System.out.println("sql filter equivalence: " + CASES * 4 + " queries, " + nonEmpty + " non-empty, " + partial
        + " partial");
    // The generator must exercise both sides: requests that list some, and only some, rows.
    assertFalse(nonEmpty < CASES / 2, "seed " + SEED + ": only " + nonEmpty + " non-empty results");
    assertFalse(partial < CASES / 10, "seed " + SEED + ": only " + partial + " partial results");
  }

  static Policy randomPolicy(SplittableRandom r) {
    Map<String, Set<String>> types = Map.of("document", Set.copyOf(ACTIONS), "folder", Set.of("read"));
    Map<String, Role> roles = new HashMap<>();
    int nRoles = 1 + r.nextInt(5);
    for (int i = 0; i < nRoles; i++) {
      Set<Permission> perms = new HashSet<>();
      for (String action : ACTIONS) {
        if (r.nextInt(2) == 0) {
          perms.add(new Permission("document", action));
        }
      }
      Set<String> inherits = new HashSet<>();
      if (i > 0 && r.nextBoolean()) {
        inherits.add("r" + r.nextInt(i));
      }
      roles.put("r" + i, new Role("r" + i, perms, inherits));
    }
    Map<String, Set<Principal>> groups = new HashMap<>();
    for (int g = 0; g < 2; g++) {
      Set<Principal> members = new HashSet<>();
      for (String u : USERS) {
        if (r.nextInt(3) == 0) {
          members.add(Principal.user(u));
        }
      }
      groups.put("g" + g, members);
    }
    List<Binding> bindings = new ArrayList<>();
    int nBindings = 1 + r.nextInt(8);
    for (int i = 0; i < nBindings; i++) {
      String role = r.nextInt(25) == 0 ? "ghost" : "r" + r.nextInt(nRoles);
      Binding b = Binding.of("b" + i, randomPrincipal(r), role, TENANTS[r.nextInt(TENANTS.length)], randomScope(r));
      switch (r.nextInt(6)) {
        case 0:
          b = b.withWindow(NOW.minusSeconds(3600), NOW.plusSeconds(3600));
          break;
        case 1:
          b = b.withWindow(NOW.minusSeconds(7200), NOW.minusSeconds(1));
          break;
        case 2:
          b = b.withWindow(NOW.plusSeconds(1), NOW.plusSeconds(3600));
          break;
        case 3:
          b = b.withReviewBy(r.nextBoolean() ? NOW : NOW.plusSeconds(60));
          break;
        default:
          break;
      }
      bindings.add(b);
    }
    List<DenyRule> denies = new ArrayList<>();
    int nDenies = r.nextInt(4) == 0 ? 1 + r.nextInt(2) : 0;
    for (int i = 0; i < nDenies; i++) {
      denies.add(new DenyRule("x" + i, randomPrincipal(r), new Permission("document", ACTIONS.get(r.nextInt(3))),
          TENANTS[r.nextInt(TENANTS.length)], randomScope(r)));
    }
    return new Policy("p", types, roles, groups, denies, bindings);
  }

  static Principal randomPrincipal(SplittableRandom r) {
    return r.nextInt(4) == 0 ? Principal.group("g" + r.nextInt(2)) : Principal.user(USERS[r.nextInt(USERS.length)]);
  }

  static Scope randomScope(SplittableRandom r) {
    switch (r.nextInt(6)) {
      case 0:
      case 1:
        return Scope.organization();
      case 2:
        return Scope.resource("document", DOCS[r.nextInt(DOCS.length)]);
      case 3:
        return Scope.resource("folder", FOLDERS[r.nextInt(FOLDERS.length)]);
      case 4:
        return Scope.subtree("folder", FOLDERS[r.nextInt(FOLDERS.length)]);
      default:
        return Scope.subtree("document", DOCS[r.nextInt(DOCS.length)]);
    }
  }

  static List<Row> randomRows(SplittableRandom r) {
    List<Row> rows = new ArrayList<>();
    int n = 5 + r.nextInt(20);
    for (int i = 0; i < n; i++) {
      String tenant = r.nextInt(20) == 0 ? null : TENANTS[r.nextInt(TENANTS.length)];
      List<String> anc = null;
      if (r.nextInt(5) != 0) {
        anc = new ArrayList<>();
        int k = r.nextInt(3);
        for (int j = 0; j < k; j++) {
          anc.add(r.nextInt(6) == 0 ? "document:" + DOCS[r.nextInt(DOCS.length)]
              : "folder:" + FOLDERS[r.nextInt(FOLDERS.length)]);
        }
      }
      rows.add(new Row(i, tenant, DOCS[r.nextInt(DOCS.length)], anc));
    }
    return rows;
  }
}
