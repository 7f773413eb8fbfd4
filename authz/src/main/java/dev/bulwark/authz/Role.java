package dev.bulwark.authz;

import java.util.Objects;
import java.util.Set;

/**
 * A named set of permissions. A role also holds every permission of the roles it inherits
 * (transitively); cycles are rejected when the policy is loaded.
 *
 * @param name {@code [a-z][a-z0-9_.-]{0,63}}
 * @param permissions what the role grants directly
 * @param inherits names of roles whose permissions this role also grants
 */
public record Role(String name, Set<Permission> permissions, Set<String> inherits) {

  public Role {
    Names.requireName(name, "role name");
    permissions = Set.copyOf(Objects.requireNonNull(permissions, "permissions"));
    inherits = Set.copyOf(Objects.requireNonNull(inherits, "inherits"));
  }

  public static Role of(String name, Permission... permissions) {
    return new Role(name, Set.of(permissions), Set.of());
  }
}
