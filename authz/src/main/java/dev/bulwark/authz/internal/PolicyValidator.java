package dev.bulwark.authz.internal;

import dev.bulwark.authz.Binding;
import dev.bulwark.authz.DenyRule;
import dev.bulwark.authz.Permission;
import dev.bulwark.authz.Policy;
import dev.bulwark.authz.PolicyException;
import dev.bulwark.authz.Principal;
import dev.bulwark.authz.Role;
import dev.bulwark.authz.Scope;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Checks that a policy can be evaluated: every permission is declared, every inherited or bound
 * role exists, inheritance has no cycle and is at most {@link #MAX_DEPTH} deep, groups hold no
 * groups, ids are unique and the sizes stay under the limits. Errors name the place with a path
 * such as {@code roles.editor.inherits}.
 */
public final class PolicyValidator {

  public static final int MAX_RESOURCE_TYPES = 1_000;
  public static final int MAX_ACTIONS_PER_TYPE = 256;
  public static final int MAX_ROLES = 10_000;
  public static final int MAX_PERMISSIONS_PER_ROLE = 1_000;
  public static final int MAX_INHERITS_PER_ROLE = 64;
  public static final int MAX_DEPTH = 32;
  public static final int MAX_GROUP_MEMBERS = 1_000_000;
  public static final int MAX_DENIES = 100_000;
  public static final int MAX_BINDINGS = 5_000_000;

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");

  private PolicyValidator() {}

  /** Checks definitions and bindings; a binding naming an unknown role or group is an error. */
  public static void validate(Policy p) throws PolicyException {
    validateDefinitions(p);
    validateBindings(p, p.bindings());
  }

  /** Checks the definitions (types, roles, groups, deny rules) only. */
  public static void validateDefinitions(Policy p) throws PolicyException {
    if (p.resourceTypes().size() > MAX_RESOURCE_TYPES) {
      throw new PolicyException("more than " + MAX_RESOURCE_TYPES + " resource types", "resourceTypes", 0, 0);
    }
    for (Map.Entry<String, Set<String>> e : new TreeMap<>(p.resourceTypes()).entrySet()) {
      String path = "resourceTypes." + e.getKey();
      if (!NAME.matcher(e.getKey()).matches()) {
        throw new PolicyException("resource type must match [a-z][a-z0-9_.-]{0,63}", path, 0, 0);
      }
      if (e.getValue().isEmpty() || e.getValue().size() > MAX_ACTIONS_PER_TYPE) {
        throw new PolicyException("a resource type declares 1 to " + MAX_ACTIONS_PER_TYPE + " actions", path, 0, 0);
      }
      for (String a : e.getValue()) {
        if (!NAME.matcher(a).matches()) {
          throw new PolicyException("action must match [a-z][a-z0-9_.-]{0,63}", path, 0, 0);
        }
      }
    }
    if (p.roles().size() > MAX_ROLES) {
      throw new PolicyException("more than " + MAX_ROLES + " roles", "roles", 0, 0);
    }
    Map<String, Role> roles = new TreeMap<>(p.roles());
    for (Map.Entry<String, Role> e : roles.entrySet()) {
      Role r = e.getValue();
      String path = "roles." + e.getKey();
      if (!e.getKey().equals(r.name())) {
        throw new PolicyException("role is filed under another name", path, 0, 0);
      }
      if (r.permissions().size() > MAX_PERMISSIONS_PER_ROLE) {
        throw new PolicyException("more than " + MAX_PERMISSIONS_PER_ROLE + " permissions", path + ".permissions", 0, 0);
      }
      for (Permission perm : r.permissions()) {
        requireDeclared(p, perm, path + ".permissions");
      }
      if (r.inherits().size() > MAX_INHERITS_PER_ROLE) {
        throw new PolicyException("more than " + MAX_INHERITS_PER_ROLE + " inherited roles", path + ".inherits", 0, 0);
      }
      for (String parent : r.inherits()) {
        if (!roles.containsKey(parent)) {
          throw new PolicyException("unknown role '" + parent + "'", path + ".inherits", 0, 0);
        }
      }
    }
    checkAcyclic(roles);
    int members = 0;
    for (Map.Entry<String, Set<Principal>> e : new TreeMap<>(p.groups()).entrySet()) {
      String path = "groups." + e.getKey();
      requireText(e.getKey(), path);
      members += e.getValue().size();
      if (members > MAX_GROUP_MEMBERS) {
        throw new PolicyException("more than " + MAX_GROUP_MEMBERS + " group members", path, 0, 0);
      }
      for (Principal m : e.getValue()) {
        if (m.kind() == Principal.Kind.GROUP) {
          throw new PolicyException("a group cannot contain a group (" + m + ")", path, 0, 0);
        }
      }
    }
    if (p.denies().size() > MAX_DENIES) {
      throw new PolicyException("more than " + MAX_DENIES + " deny rules", "denies", 0, 0);
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < p.denies().size(); i++) {
      DenyRule d = p.denies().get(i);
      String path = "denies[" + i + "]";
      if (!ids.add(d.id())) {
        throw new PolicyException("duplicate deny rule id '" + d.id() + "'", path + ".id", 0, 0);
      }
      requireDeclared(p, d.permission(), path + ".permission");
      requireKnownGroup(p, d.principal(), path + ".principal");
      requireDeclaredScope(p, d.scope(), path + ".scope");
    }
  }

  /** Checks bindings against the definitions of {@code p}. */
  public static void validateBindings(Policy p, List<Binding> bindings) throws PolicyException {
    if (bindings.size() > MAX_BINDINGS) {
      throw new PolicyException("more than " + MAX_BINDINGS + " bindings", "bindings", 0, 0);
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < bindings.size(); i++) {
      Binding b = bindings.get(i);
      String path = "bindings[" + i + "]";
      if (!ids.add(b.id())) {
        throw new PolicyException("duplicate binding id '" + b.id() + "'", path + ".id", 0, 0);
      }
      validateBinding(p, b, path);
    }
  }

  /** Checks one binding against the definitions of {@code p}. */
  public static void validateBinding(Policy p, Binding b, String path) throws PolicyException {
    if (!p.roles().containsKey(b.role())) {
      throw new PolicyException("unknown role '" + b.role() + "'", path + ".role", 0, 0);
    }
    requireKnownGroup(p, b.principal(), path + ".principal");
    requireDeclaredScope(p, b.scope(), path + ".scope");
  }

  private static void requireText(String s, String path) throws PolicyException {
    if (s.isEmpty() || s.length() > 256) {
      throw new PolicyException("id must have 1 to 256 characters", path, 0, 0);
    }
  }

  private static void requireDeclared(Policy p, Permission perm, String path) throws PolicyException {
    Set<String> actions = p.resourceTypes().get(perm.resourceType());
    if (actions == null || !actions.contains(perm.action())) {
      throw new PolicyException("unknown permission '" + perm + "' (not declared in resourceTypes)", path, 0, 0);
    }
  }

  private static void requireKnownGroup(Policy p, Principal who, String path) throws PolicyException {
    if (who.kind() == Principal.Kind.GROUP && !p.groups().containsKey(who.id())) {
      throw new PolicyException("unknown group '" + who.id() + "'", path, 0, 0);
    }
  }

  private static void requireDeclaredScope(Policy p, Scope s, String path) throws PolicyException {
    if (s.resourceType().isPresent() && !p.resourceTypes().containsKey(s.resourceType().get())) {
      throw new PolicyException("unknown resource type '" + s.resourceType().get() + "'", path, 0, 0);
    }
  }

  /** Iterative depth-first search (no recursion: a hostile graph cannot overflow the stack). */
  private static void checkAcyclic(Map<String, Role> roles) throws PolicyException {
    Map<String, Integer> depth = new HashMap<>(); // finished roles: longest chain below
    for (String start : roles.keySet()) {
      if (depth.containsKey(start)) {
        continue;
      }
      Deque<String> stack = new ArrayDeque<>();
      Deque<java.util.Iterator<String>> its = new ArrayDeque<>();
      List<String> onPath = new ArrayList<>();
      Set<String> onPathSet = new HashSet<>();
      stack.push(start);
      its.push(sorted(roles.get(start).inherits()).iterator());
      onPath.add(start);
      onPathSet.add(start);
      while (!stack.isEmpty()) {
        java.util.Iterator<String> it = its.peek();
        if (it.hasNext()) {
          String next = it.next();
          if (onPathSet.contains(next)) {
            List<String> cycle = new ArrayList<>(onPath.subList(onPath.indexOf(next), onPath.size()));
            cycle.add(next);
            throw new PolicyException("role inheritance cycle " + String.join(" -> ", cycle),
                "roles." + stack.peek() + ".inherits", 0, 0);
          }
          if (!depth.containsKey(next)) {
            if (onPath.size() >= MAX_DEPTH) {
              throw new PolicyException("role inheritance deeper than " + MAX_DEPTH, "roles." + next, 0, 0);
            }
            stack.push(next);
            its.push(sorted(roles.get(next).inherits()).iterator());
            onPath.add(next);
            onPathSet.add(next);
          } else if (depth.get(next) + onPath.size() > MAX_DEPTH) {
            throw new PolicyException("role inheritance deeper than " + MAX_DEPTH, "roles." + next, 0, 0);
          }
        } else {
          String done = stack.pop();
          its.pop();
          int d = 0;
          for (String parent : roles.get(done).inherits()) {
            d = Math.max(d, depth.get(parent) + 1);
          }
          depth.put(done, d);
          onPath.remove(onPath.size() - 1);
          onPathSet.remove(done);
        }
      }
    }
  }

  private static List<String> sorted(Set<String> s) {
    List<String> l = new ArrayList<>(s);
    java.util.Collections.sort(l);
    return l;
  }
}
