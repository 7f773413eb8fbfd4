package dev.bulwark.authz;

import java.util.Objects;

/**
 * Forbids one permission to a principal (or every member of a group) inside one organization and
 * scope. A matching deny rule wins over every binding.
 *
 * @param id unique within the policy
 * @param principal who is denied (a group denies each member)
 * @param permission what is denied
 * @param tenant the organization
 * @param scope where inside it
 */
public record DenyRule(String id, Principal principal, Permission permission, String tenant, Scope scope) {

  public DenyRule {
    Names.requireText(id, "deny rule id");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(permission, "permission");
    Names.requireText(tenant, "tenant");
    Objects.requireNonNull(scope, "scope");
  }
}
