package dev.bulwark.authz;

import java.util.List;
import java.util.Objects;

/**
 * What is acted on: a resource of a declared type inside one organization (tenant), with the
 * keys ({@code type:id}) of the resources above it, nearest last or first (order does not matter),
 * which subtree scopes match.
 *
 * <p>The tenant may be {@code null} here so that a host can pass through what it has; a request
 * without a tenant is denied ({@link AccessDecision.Reason#NO_TENANT}).
 *
 * @param tenant the organization the resource belongs to, or null when the host does not know it
 * @param type a resource type
 * @param id the resource's id; opaque text (never put into SQL text)
 * @param ancestors {@code type:id} keys of the enclosing resources
 */
public record Resource(String tenant, String type, String id, List<String> ancestors) {

  public Resource {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(id, "id");
    ancestors = List.copyOf(Objects.requireNonNull(ancestors, "ancestors"));
  }

  public static Resource of(String tenant, String type, String id) {
    return new Resource(tenant, type, id, List.of());
  }

  /** This resource with {@code ancestorKeys} ({@code type:id}) as its ancestors. */
  public Resource under(String... ancestorKeys) {
    return new Resource(tenant, type, id, List.of(ancestorKeys));
  }

  /** {@code type:id}. */
  public String key() {
    return type + ":" + id;
  }
}
