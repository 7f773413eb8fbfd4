package dev.bulwark.benchmarks.authz;

import dev.bulwark.authz.Authorizer;
import dev.bulwark.authz.Binding;
import dev.bulwark.authz.AccessDecision;
import dev.bulwark.authz.Permission;
import dev.bulwark.authz.Policy;
import dev.bulwark.authz.PolicyException;
import dev.bulwark.authz.Principal;
import dev.bulwark.authz.Resource;
import dev.bulwark.authz.Role;
import dev.bulwark.authz.Scope;
import dev.bulwark.benchmarks.ComparedWith;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.casbin.jcasbin.main.Enforcer;
import org.casbin.jcasbin.model.Model;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Authorizer#check} against jCasbin's {@code enforce} on the same RBAC-with-domains policy:
 * 10,000 users, 100 roles (5 permissions each over 10 resource types with 5 actions), 1,000
 * organizations, two bindings per user (20,000). Requests cycle through 4,096 pre-drawn ones,
 * about half of which are allowed; setup fails unless both engines agree on every one of them.
 * Single thread (jCasbin's plain Enforcer is not thread-safe).
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@Threads(1)
public class AuthzCheckBenchmark {

  static final int USERS = 10_000;
  static final int ROLES = 100;
  static final int ORGS = 1_000;
  static final int TYPES = 10;
  static final int ACTIONS = 5;
  static final int REQUESTS = 4096;

  private Authorizer authorizer;
  private Enforcer enforcer;
  private final Principal[] principals = new Principal[REQUESTS];
  private final String[] users = new String[REQUESTS];
  private final String[] actions = new String[REQUESTS];
  private final Resource[] resources = new Resource[REQUESTS];
  private int next;

  static final String MODEL = String.join("\n",
      "[request_definition]", "r = sub, dom, obj, act",
      "[policy_definition]", "p = sub, obj, act",
      "[role_definition]", "g = _, _, _",
      "[policy_effect]", "e = some(where (p.eft == allow))",
      "[matchers]", "m = g(r.sub, p.sub, r.dom) && r.obj == p.obj && r.act == p.act");

  @Setup
  public void setUp() throws PolicyException {
    SplittableRandom r = new SplittableRandom(7);
    Map<String, Set<String>> types = new HashMap<>();
    for (int t = 0; t < TYPES; t++) {
      Set<String> a = new LinkedHashSet<>();
      for (int i = 0; i < ACTIONS; i++) {
        a.add("a" + i);
      }
      types.put("t" + t, a);
    }
    Map<String, Role> roles = new HashMap<>();
    List<List<String>> casbinPolicies = new ArrayList<>();
    for (int i = 0; i < ROLES; i++) {
      Set<Permission> perms = new HashSet<>();
      while (perms.size() < 5) {
        perms.add(new Permission("t" + r.nextInt(TYPES), "a" + r.nextInt(ACTIONS)));
      }
      roles.put("role" + i, new Role("role" + i, perms, Set.of()));
      for (Permission p : perms) {
        casbinPolicies.add(List.of("role" + i, p.resourceType(), p.action()));
      }
    }
    List<Binding> bindings = new ArrayList<>();
    List<List<String>> grouping = new ArrayList<>();
    int[][] userBindings = new int[USERS][4];
    for (int u = 0; u < USERS; u++) {
      for (int k = 0; k < 2; k++) {
        int role = r.nextInt(ROLES);
        int org = r.nextInt(ORGS);
        userBindings[u][2 * k] = role;
        userBindings[u][2 * k + 1] = org;
        bindings.add(Binding.of("b" + u + "-" + k, Principal.user("u" + u), "role" + role, "org" + org,
            Scope.organization()));
        grouping.add(List.of("u" + u, "role" + role, "org" + org));
      }
    }
    authorizer = Authorizer.compile(new Policy("bench", types, roles, Map.of(), List.of(), bindings));
    Model m = new Model();
    m.loadModelFromText(MODEL);
    enforcer = new Enforcer(m);
    // jCasbin logs every request at INFO by default; measure the decision, not the logging.
    enforcer.enableLog(false);
    enforcer.addPolicies(casbinPolicies);
    enforcer.addGroupingPolicies(grouping);
    int allowed = 0;
    for (int i = 0; i < REQUESTS; i++) {
      int u = r.nextInt(USERS);
      // Half the requests fall in an organization where the user holds a binding.
      String org = r.nextBoolean() ? "org" + userBindings[u][1 + 2 * r.nextInt(2)] : "org" + r.nextInt(ORGS);
      String type = "t" + r.nextInt(TYPES);
      String action = "a" + r.nextInt(ACTIONS);
      if (r.nextBoolean()) {
        // Bias towards permissions the user's role has, so that both answers are common.
        Permission p = roles.get("role" + userBindings[u][0]).permissions().iterator().next();
        type = p.resourceType();
        action = p.action();
        org = "org" + userBindings[u][1];
      }
      users[i] = "u" + u;
      principals[i] = Principal.user(users[i]);
      actions[i] = action;
      resources[i] = Resource.of(org, type, "doc-" + i);
      boolean ours = authorizer.check(principals[i], action, resources[i]).allowed();
      boolean theirs = enforcer.enforce(users[i], org, type, action);
      if (ours != theirs) {
        throw new IllegalStateException("the engines disagree on request " + i);
      }
      allowed += ours ? 1 : 0;
    }
    System.out.println("authz check benchmark: " + allowed + " of " + REQUESTS + " requests allowed");
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authz.AuthzCheckBenchmark.jcasbinEnforce")
  public AccessDecision check() {
    int i = next++ & (REQUESTS - 1);
    return authorizer.check(principals[i], actions[i], resources[i]);
  }

  @Benchmark
  public boolean jcasbinEnforce() {
    int i = next++ & (REQUESTS - 1);
    return enforcer.enforce(users[i], resources[i].tenant(), resources[i].type(), actions[i]);
  }
}
