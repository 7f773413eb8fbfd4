package dev.bulwark.authz;

import java.util.Locale;
import java.util.Objects;

/**
 * Who asks: a user, a service identity or a group. Written {@code kind:id} ({@code user:alice},
 * {@code service:billing-worker}, {@code group:engineering}) in policy files and events.
 *
 * @param kind what the principal is
 * @param id the host's identifier; 1 to 256 characters, no control characters
 */
public record Principal(Kind kind, String id) {

  /** The three kinds of principal. Groups hold users and service identities (not other groups). */
  public enum Kind {
    USER, SERVICE, GROUP;

    String prefix() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Principal {
    Objects.requireNonNull(kind, "kind");
    Names.requireText(id, "principal id");
  }

  public static Principal user(String id) {
    return new Principal(Kind.USER, id);
  }

  public static Principal service(String id) {
    return new Principal(Kind.SERVICE, id);
  }

  public static Principal group(String id) {
    return new Principal(Kind.GROUP, id);
  }

  /**
   * Parses {@code kind:id}.
   *
   * @throws IllegalArgumentException if the kind is not user, service or group, or the id is empty
   */
  public static Principal parse(String text) {
    Objects.requireNonNull(text, "principal");
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("principal must be written kind:id (user:, service: or group:)");
    }
    String kind = text.substring(0, colon);
    for (Kind k : Kind.values()) {
      if (k.prefix().equals(kind)) {
        return new Principal(k, text.substring(colon + 1));
      }
    }
    throw new IllegalArgumentException("unknown principal kind (expected user, service or group)");
  }

  @Override
  public String toString() {
    return kind.prefix() + ":" + id;
  }
}
