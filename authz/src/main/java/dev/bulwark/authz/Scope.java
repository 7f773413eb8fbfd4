package dev.bulwark.authz;

import java.util.Objects;
import java.util.Optional;

/**
 * Where inside an organization a binding or deny rule applies: the whole organization, one
 * resource, or one resource and everything below it (its subtree, read from
 * {@link Resource#ancestors()}).
 *
 * @param kind organization, resource or subtree
 * @param resourceType empty for the organization scope
 * @param resourceId empty for the organization scope
 */
public record Scope(Kind kind, Optional<String> resourceType, Optional<String> resourceId) {

  /** How far a scope reaches. */
  public enum Kind { ORGANIZATION, RESOURCE, SUBTREE }

  private static final Scope ORG = new Scope(Kind.ORGANIZATION, Optional.empty(), Optional.empty());

  public Scope {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(resourceType, "resourceType");
    Objects.requireNonNull(resourceId, "resourceId");
    if (kind == Kind.ORGANIZATION) {
      if (resourceType.isPresent() || resourceId.isPresent()) {
        throw new IllegalArgumentException("an organization scope names no resource");
      }
    } else {
      Names.requireName(resourceType.orElseThrow(() -> new IllegalArgumentException("scope needs a resource type")),
          "resource type");
      Names.requireText(resourceId.orElseThrow(() -> new IllegalArgumentException("scope needs a resource id")),
          "resource id");
    }
  }

  public static Scope organization() {
    return ORG;
  }

  public static Scope resource(String type, String id) {
    return new Scope(Kind.RESOURCE, Optional.of(type), Optional.of(id));
  }

  public static Scope subtree(String type, String id) {
    return new Scope(Kind.SUBTREE, Optional.of(type), Optional.of(id));
  }

  /** {@code type:id} of the scoped resource (the form {@link Resource#ancestors()} uses). */
  public Optional<String> resourceKey() {
    return resourceType.map(t -> t + ":" + resourceId.orElseThrow());
  }

  @Override
  public String toString() {
    return kind == Kind.ORGANIZATION ? "organization" : kind.name().toLowerCase(java.util.Locale.ROOT) + " "
        + resourceKey().orElseThrow();
  }
}
