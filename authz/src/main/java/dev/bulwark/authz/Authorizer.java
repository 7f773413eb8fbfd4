package dev.bulwark.authz;

import dev.bulwark.authz.internal.PolicyValidator;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whether a principal may perform an action on a resource, from one compiled
 * {@link Policy}. Deny rules win over bindings; anything not granted is denied; a request without
 * an organization, for an undeclared type or action, or for a principal whose binding names an
 * unknown role is denied and says why.
 *
 * <p>Compiling builds an index from principal and organization to that principal's bindings and
 * deny rules, with each role's inherited permissions flattened into a bit set, so a check costs
 * a few hash lookups plus one step per binding of the principal (and its groups) in that
 * organization. Immutable and thread-safe; build a new one when the policy changes.
 *
 * <p>Security considerations: the same index also yields {@link #sqlFilter}, so list queries
 * filter in the database with exactly the rules {@link #check} applies; resource ids are only
 * ever bind parameters there.
 */
public final class Authorizer {

  private final String version;
  private final Clock clock;
  private final Map<String, Map<String, Integer>> permissionIds = new HashMap<>();
  private final Map<Principal, Map<String, Grants>> byPrincipal = new HashMap<>();
  private final Map<Principal, Principal[]> groupsOf = new HashMap<>();
  private final Policy policy;

  private final AccessDecision noTenant;
  private final AccessDecision unknownType;
  private final AccessDecision unknownAction;
  private final AccessDecision noBinding;
  private final AccessDecision invalid;

  private Authorizer(Policy policy, Clock clock) {
    this.policy = policy;
    this.version = policy.version();
    this.clock = clock;
    noTenant = deny(AccessDecision.Reason.NO_TENANT, "the request names no organization");
    unknownType = deny(AccessDecision.Reason.UNKNOWN_RESOURCE_TYPE, "the resource type is not declared in the policy");
    unknownAction = deny(AccessDecision.Reason.UNKNOWN_ACTION, "the action is not declared for the resource type");
    noBinding = deny(AccessDecision.Reason.NO_MATCHING_BINDING,
        "no binding of the principal or its groups grants this permission here (default deny)");
    invalid = deny(AccessDecision.Reason.INVALID_REQUEST, "the request is missing a principal, action or resource");
  }

  private AccessDecision deny(AccessDecision.Reason reason, String why) {
    return new AccessDecision(false, reason, why, List.of(), version);
  }

  /** {@link #compile(Policy, Clock)} with the system UTC clock. */
  public static Authorizer compile(Policy policy) throws PolicyException {
    return compile(policy, Clock.systemUTC());
  }

  /**
   * Validates {@code policy}'s definitions and builds the decision index. Bindings that name an
   * unknown role or group or an undeclared scope type are kept as broken: checks for that
   * principal in that organization are denied with {@link AccessDecision.Reason#UNKNOWN_ROLE}.
   *
   * @param clock read for time-bound and review-dated bindings
   * @throws PolicyException if a role inherits in a cycle, a permission is not declared, and so on
   */
  public static Authorizer compile(Policy policy, Clock clock) throws PolicyException {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(clock, "clock");
    PolicyValidator.validateDefinitions(policy);
    Authorizer a = new Authorizer(policy, clock);
    a.build();
    return a;
  }

  private void build() {
    int next = 0;
    for (Map.Entry<String, Set<String>> t : policy.resourceTypes().entrySet()) {
      Map<String, Integer> ids = new HashMap<>();
      for (String action : t.getValue()) {
        ids.put(action, next++);
      }
      permissionIds.put(t.getKey(), ids);
    }
    Map<String, long[]> rolePermissions = new HashMap<>();
    for (String role : policy.roles().keySet()) {
      rolePermissions.put(role, flatten(role, next));
    }
    Map<Principal, List<Principal>> memberOf = new HashMap<>();
    for (Map.Entry<String, Set<Principal>> g : policy.groups().entrySet()) {
      for (Principal m : g.getValue()) {
        memberOf.computeIfAbsent(m, k -> new ArrayList<>()).add(Principal.group(g.getKey()));
      }
    }
    memberOf.forEach((m, gs) -> {
      Principal[] keys = new Principal[gs.size() + 1];
      keys[0] = m;
      for (int i = 0; i < gs.size(); i++) {
        keys[i + 1] = gs.get(i);
      }
      groupsOf.put(m, keys);
    });
    Map<Principal, Map<String, GrantsBuilder>> builders = new HashMap<>();
    for (Binding b : policy.bindings()) {
      GrantsBuilder gb = builders.computeIfAbsent(b.principal(), k -> new HashMap<>())
          .computeIfAbsent(b.tenant(), k -> new GrantsBuilder());
      long[] perms = rolePermissions.get(b.role());
      boolean broken = perms == null
          || (b.principal().kind() == Principal.Kind.GROUP && !policy.groups().containsKey(b.principal().id()))
          || (b.scope().resourceType().isPresent() && !permissionIds.containsKey(b.scope().resourceType().get()));
      if (broken) {
        if (gb.broken == null) {
          gb.broken = new AccessDecision(false, AccessDecision.Reason.UNKNOWN_ROLE, "binding " + b.id()
              + " names role '" + b.role() + "', a group or a resource type the policy does not define;"
              + " the policy is inconsistent for this principal here, so nothing is allowed",
              List.of(b.id()), version);
        }
        continue;
      }
      gb.allows.add(new CompiledBinding(b, perms, version));
    }
    for (DenyRule d : policy.denies()) {
      GrantsBuilder gb = builders.computeIfAbsent(d.principal(), k -> new HashMap<>())
          .computeIfAbsent(d.tenant(), k -> new GrantsBuilder());
      int id = permissionIds.get(d.permission().resourceType()).get(d.permission().action());
      gb.denies.add(new CompiledDeny(d, id, version));
    }
    builders.forEach((p, byTenant) -> {
      Map<String, Grants> m = new HashMap<>();
      byTenant.forEach((t, gb) -> m.put(t, new Grants(gb.allows.toArray(new CompiledBinding[0]),
          gb.denies.toArray(new CompiledDeny[0]), gb.broken)));
      byPrincipal.put(p, m);
    });
  }

  private long[] flatten(String role, int permissionCount) {
    long[] bits = new long[(permissionCount + 63) / 64 + 1];
    List<String> todo = new ArrayList<>(List.of(role));
    java.util.Set<String> seen = new java.util.HashSet<>();
    while (!todo.isEmpty()) {
      String r = todo.remove(todo.size() - 1);
      if (!seen.add(r)) {
        continue;
      }
      Role def = policy.roles().get(r);
      for (Permission p : def.permissions()) {
        int id = permissionIds.get(p.resourceType()).get(p.action());
        bits[id >>> 6] |= 1L << id;
      }
      todo.addAll(def.inherits());
    }
    return bits;
  }

  /** The version label of the policy this authorizer decides with. */
  public String version() {
    return version;
  }

  /** The policy this authorizer was compiled from. */
  public Policy policy() {
    return policy;
  }

  /**
   * Decides one request. Never throws for bad input: a malformed request is denied.
   *
   * @param principal who asks (a user or service identity; their groups' bindings apply too)
   * @param action an action declared for the resource's type
   * @param resource what is acted on, with its organization
   */
  public AccessDecision check(Principal principal, String action, Resource resource) {
    if (principal == null || action == null || resource == null) {
      return invalid;
    }
    String tenant = resource.tenant();
    if (tenant == null || tenant.isBlank()) {
      return noTenant;
    }
    Map<String, Integer> actions = permissionIds.get(resource.type());
    if (actions == null) {
      return unknownType;
    }
    Integer boxed = actions.get(action);
    if (boxed == null) {
      return unknownAction;
    }
    int permission = boxed;
    Principal[] keys = groupsOf.isEmpty() ? null : groupsOf.get(principal);
    if (keys == null) {
      Map<String, Grants> byTenant = byPrincipal.get(principal);
      Grants g = byTenant == null ? null : byTenant.get(tenant);
      if (g == null) {
        return noBinding;
      }
      AccessDecision denied = g.denied(permission, resource, null);
      if (denied != null) {
        return denied;
      }
      if (g.broken != null) {
        return g.broken;
      }
      AccessDecision allowed = g.allowed(permission, resource, clock);
      return allowed != null ? allowed : noBinding;
    }
    Grants[] found = new Grants[keys.length];
    AccessDecision denied = null;
    for (int i = 0; i < keys.length; i++) {
      Map<String, Grants> byTenant = byPrincipal.get(keys[i]);
      found[i] = byTenant == null ? null : byTenant.get(tenant);
      if (found[i] != null) {
        denied = found[i].denied(permission, resource, denied);
      }
    }
    if (denied != null) {
      return denied;
    }
    for (Grants g : found) {
      if (g != null && g.broken != null) {
        return g.broken;
      }
    }
    for (Grants g : found) {
      if (g != null) {
        AccessDecision allowed = g.allowed(permission, resource, clock);
        if (allowed != null) {
          return allowed;
        }
      }
    }
    return noBinding;
  }

  /**
   * The rows of one table that {@code principal} may perform {@code action} on, as a SQL
   * predicate over that table, equal to {@link #check} on each row at this instant (time-bound
   * bindings are evaluated now: build the predicate per request). A request that {@code check}
   * would deny whatever the row (no tenant, unknown action, inconsistent binding, no binding)
   * yields {@code FALSE}.
   */
  public SqlPredicate sqlFilter(Principal principal, String action, String tenant, ResourceTable table) {
    Objects.requireNonNull(table, "table");
    if (principal == null || action == null || tenant == null || tenant.isBlank()) {
      return SqlPredicate.FALSE;
    }
    Map<String, Integer> actions = permissionIds.get(table.resourceType());
    Integer permission = actions == null ? null : actions.get(action);
    if (permission == null) {
      return SqlPredicate.FALSE;
    }
    Principal[] keys = groupsOf.getOrDefault(principal, new Principal[] {principal});
    Instant now = clock.instant();
    StringBuilder allow = new StringBuilder();
    StringBuilder deny = new StringBuilder();
    List<String> allowParams = new ArrayList<>();
    List<String> denyParams = new ArrayList<>();
    boolean allowAll = false;
    for (Principal k : keys) {
      Map<String, Grants> byTenant = byPrincipal.get(k);
      Grants g = byTenant == null ? null : byTenant.get(tenant);
      if (g == null) {
        continue;
      }
      if (g.broken != null) {
        return SqlPredicate.FALSE;
      }
      for (CompiledDeny d : g.denies) {
        if (d.permission == permission) {
          if (!scopeTerm(d.rule.scope(), table, deny, denyParams)) {
            return SqlPredicate.FALSE;
          }
        }
      }
      for (CompiledBinding b : g.allows) {
        if (b.grants(permission) && b.binding.effectiveAt(now)) {
          allowAll |= !scopeTerm(b.binding.scope(), table, allow, allowParams);
        }
      }
    }
    if (!allowAll && allow.length() == 0) {
      return SqlPredicate.FALSE;
    }
    StringBuilder sql = new StringBuilder("(").append(table.quotedTenantColumn()).append(" = ?");
    List<String> params = new ArrayList<>();
    params.add(tenant);
    if (!allowAll) {
      sql.append(" AND (").append(allow).append(')');
      params.addAll(allowParams);
    }
    if (deny.length() > 0) {
      sql.append(" AND NOT (").append(deny).append(')');
      params.addAll(denyParams);
    }
    sql.append(')');
    return new SqlPredicate(sql.toString(), params);
  }

  /**
   * Appends the condition under which {@code scope} covers a row of {@code table}, ORed to what
   * {@code out} holds. Returns false when the scope covers every row (organization scope); a
   * scope that covers no row of the table appends nothing.
   */
  private static boolean scopeTerm(Scope scope, ResourceTable table, StringBuilder out, List<String> params) {
    if (scope.kind() == Scope.Kind.ORGANIZATION) {
      return false;
    }
    String type = scope.resourceType().orElseThrow();
    String id = scope.resourceId().orElseThrow();
    boolean sameType = type.equals(table.resourceType());
    StringBuilder term = new StringBuilder();
    if (sameType) {
      term.append(table.quotedIdColumn()).append(" = ?");
      params.add(id);
    }
    if (scope.kind() == Scope.Kind.SUBTREE && table.ancestorsColumn().isPresent()) {
      if (term.length() > 0) {
        term.append(" OR ");
      }
      term.append("COALESCE(? = ANY(").append(table.quotedAncestorsColumn()).append("), FALSE)");
      params.add(scope.resourceKey().orElseThrow());
    }
    if (term.length() > 0) {
      if (out.length() > 0) {
        out.append(" OR ");
      }
      out.append('(').append(term).append(')');
    }
    return true;
  }

  private static boolean covers(Scope scope, Resource r) {
    switch (scope.kind()) {
      case ORGANIZATION:
        return true;
      case RESOURCE:
        return scope.resourceType().get().equals(r.type()) && scope.resourceId().get().equals(r.id());
      default:
        if (scope.resourceType().get().equals(r.type()) && scope.resourceId().get().equals(r.id())) {
          return true;
        }
        return !r.ancestors().isEmpty() && r.ancestors().contains(scope.resourceKey().get());
    }
  }

  private static final class GrantsBuilder {
    final List<CompiledBinding> allows = new ArrayList<>();
    final List<CompiledDeny> denies = new ArrayList<>();
    AccessDecision broken;
  }

  private static final class Grants {
    final CompiledBinding[] allows;
    final CompiledDeny[] denies;
    final AccessDecision broken;

    Grants(CompiledBinding[] allows, CompiledDeny[] denies, AccessDecision broken) {
      this.allows = allows;
      this.denies = denies;
      this.broken = broken;
    }

    /** Adds matching deny rules to {@code sofar}; returns null when none matched anywhere. */
    AccessDecision denied(int permission, Resource r, AccessDecision sofar) {
      AccessDecision out = sofar;
      for (CompiledDeny d : denies) {
        if (d.permission == permission && covers(d.rule.scope(), r)) {
          if (out == null) {
            out = d.decision;
          } else {
            List<String> ids = new ArrayList<>(out.matchedRules());
            ids.add(d.rule.id());
            out = new AccessDecision(false, AccessDecision.Reason.DENIED_BY_RULE, "deny rules " + String.join(", ", ids)
                + " match; deny wins over every binding", ids, out.policyVersion());
          }
        }
      }
      return out;
    }

    AccessDecision allowed(int permission, Resource r, Clock clock) {
      Instant now = null;
      for (CompiledBinding b : allows) {
        if (b.grants(permission) && covers(b.binding.scope(), r)) {
          if (b.timed) {
            if (now == null) {
              now = clock.instant();
            }
            if (!b.binding.effectiveAt(now)) {
              continue;
            }
          }
          return b.decision;
        }
      }
      return null;
    }
  }

  private static final class CompiledBinding {
    final Binding binding;
    final long[] permissions;
    final boolean timed;
    final AccessDecision decision;

    CompiledBinding(Binding b, long[] permissions, String version) {
      this.binding = b;
      this.permissions = permissions;
      this.timed = b.notBefore().isPresent() || b.notAfter().isPresent() || b.reviewBy().isPresent();
      this.decision = new AccessDecision(true, AccessDecision.Reason.ALLOWED, "binding " + b.id() + " grants role '" + b.role()
          + "' to " + b.principal() + " in organization " + b.tenant() + " (" + b.scope() + ")",
          List.of(b.id()), version);
    }

    boolean grants(int permission) {
      return (permissions[permission >>> 6] & (1L << permission)) != 0;
    }
  }

  private static final class CompiledDeny {
    final DenyRule rule;
    final int permission;
    final AccessDecision decision;

    CompiledDeny(DenyRule rule, int permission, String version) {
      this.rule = rule;
      this.permission = permission;
      this.decision = new AccessDecision(false, AccessDecision.Reason.DENIED_BY_RULE, "deny rule " + rule.id() + " forbids "
          + rule.permission() + " to " + rule.principal() + " in organization " + rule.tenant() + " (" + rule.scope()
          + "); deny wins over every binding", List.of(rule.id()), version);
    }
  }
}
