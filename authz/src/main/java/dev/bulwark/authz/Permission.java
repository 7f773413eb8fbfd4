package dev.bulwark.authz;

/**
 * One action on one resource type, written {@code type:action} ({@code "document:read"}) in policy
 * files.
 *
 * @param resourceType a declared resource type ({@code [a-z][a-z0-9_.-]{0,63}})
 * @param action a declared action of that type (same syntax)
 */
public record Permission(String resourceType, String action) {

  public Permission {
    Names.requireName(resourceType, "resource type");
    Names.requireName(action, "action");
  }

  /** Parses {@code type:action}. */
  public static Permission parse(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("permission must be written type:action");
    }
    return new Permission(text.substring(0, colon), text.substring(colon + 1));
  }

  @Override
  public String toString() {
    return resourceType + ":" + action;
  }
}
