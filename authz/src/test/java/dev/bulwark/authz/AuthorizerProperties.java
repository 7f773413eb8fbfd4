package dev.bulwark.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * For random policies (the generator of {@link SqlFilterEquivalenceIT}): the policy file round
 * trips exactly and decides the same; a deny rule never turns a denial into an allow; a request
 * in another organization than every binding is never allowed. Seed: {@code -Dbulwark.seed}.
 */
class AuthorizerProperties {

  static final long SEED = Long.getLong("bulwark.seed", 0xa11ce5L);
  static final Clock CLOCK = Clock.fixed(SqlFilterEquivalenceIT.NOW, ZoneOffset.UTC);

  @Test
  void fileRoundTrip_denyMonotonicity_tenantIsolation() throws Exception {
    SplittableRandom seeds = new SplittableRandom(SEED);
    for (int n = 0; n < 1_000; n++) {
      SplittableRandom r = seeds.split();
      String where = "seed " + SEED + " case " + n;
      Policy p = SqlFilterEquivalenceIT.randomPolicy(r);
      Policy again = PolicyJson.parse(PolicyJson.write(p.withBindings(validBindings(p))));
      assertEquals(p.withBindings(validBindings(p)), again, where);
      Authorizer a = Authorizer.compile(p, CLOCK);
      List<DenyRule> more = new ArrayList<>(p.denies());
      more.add(new DenyRule("extra", SqlFilterEquivalenceIT.randomPrincipal(r),
          new Permission("document", SqlFilterEquivalenceIT.ACTIONS.get(r.nextInt(3))),
          SqlFilterEquivalenceIT.TENANTS[r.nextInt(3)], SqlFilterEquivalenceIT.randomScope(r)));
      Authorizer stricter = Authorizer.compile(new Policy("p", p.resourceTypes(), p.roles(), p.groups(), more,
          p.bindings()), CLOCK);
      for (SqlFilterEquivalenceIT.Row row : SqlFilterEquivalenceIT.randomRows(r)) {
        Principal who = Principal.user(SqlFilterEquivalenceIT.USERS[r.nextInt(4)]);
        String action = SqlFilterEquivalenceIT.ACTIONS.get(r.nextInt(3));
        Resource res = new Resource(row.tenant(), "document", row.id(),
            row.ancestors() == null ? List.of() : row.ancestors());
        boolean allowed = a.check(who, action, res).allowed();
        if (!allowed) {
          assertFalse(stricter.check(who, action, res).allowed(), where + ": a deny rule allowed " + res);
        }
        Resource elsewhere = new Resource("nowhere", "document", row.id(), res.ancestors());
        assertFalse(a.check(who, action, elsewhere).allowed(), where + ": allowed outside every organization");
      }
    }
  }

  /** The bindings a file may hold: those naming a defined role (a file with others is refused). */
  private static List<Binding> validBindings(Policy p) {
    return p.bindings().stream().filter(b -> p.roles().containsKey(b.role())).toList();
  }
}
