package dev.bulwark.authz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a decision depends on: the declared resource types and their actions, roles, group
 * memberships, deny rules and bindings, labelled with a version that every {@link AccessDecision}
 * carries.
 *
 * <p>A {@code Policy} is a plain value; {@link Authorizer#compile} checks it (unknown permissions,
 * unknown roles, inheritance cycles, nested groups, size limits) and builds the index decisions
 * are made from.
 *
 * @param version the label decisions report (for example a file revision or store revision)
 * @param resourceTypes each declared resource type and its actions
 * @param roles roles by name
 * @param groups members (users and service identities) by group id
 * @param denies explicit deny rules
 * @param bindings role bindings
 */
public record Policy(String version, Map<String, Set<String>> resourceTypes, Map<String, Role> roles,
    Map<String, Set<Principal>> groups, List<DenyRule> denies, List<Binding> bindings) {

  public Policy {
    Names.requireText(version, "policy version");
    resourceTypes = copy(resourceTypes);
    roles = Map.copyOf(Objects.requireNonNull(roles, "roles"));
    groups = copy(groups);
    denies = List.copyOf(Objects.requireNonNull(denies, "denies"));
    bindings = List.copyOf(Objects.requireNonNull(bindings, "bindings"));
  }

  private static <K, V> Map<K, Set<V>> copy(Map<K, Set<V>> m) {
    Map<K, Set<V>> out = new LinkedHashMap<>();
    Objects.requireNonNull(m, "map").forEach((k, v) -> out.put(Objects.requireNonNull(k), Set.copyOf(v)));
    return Map.copyOf(out);
  }

  /** An empty policy: every check is denied. */
  public static Policy empty(String version) {
    return new Policy(version, Map.of(), Map.of(), Map.of(), List.of(), List.of());
  }

  /** This policy with other bindings (the definitions stay). */
  public Policy withBindings(List<Binding> newBindings) {
    return new Policy(version, resourceTypes, roles, groups, denies, newBindings);
  }

  /** This policy with another version label. */
  public Policy withVersion(String newVersion) {
    return new Policy(newVersion, resourceTypes, roles, groups, denies, bindings);
  }

  /** This policy with one more binding. */
  public Policy plus(Binding b) {
    List<Binding> all = new ArrayList<>(bindings);
    all.add(b);
    return withBindings(all);
  }
}
