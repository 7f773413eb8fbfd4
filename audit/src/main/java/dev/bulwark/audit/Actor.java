package dev.bulwark.audit;

import dev.bulwark.audit.internal.Text;
import java.util.Objects;

/**
 * Who performed the action.
 *
 * @param type user, service, system or anonymous
 * @param id stable identifier (never an e-mail address if it can be avoided); sanitised, at most 256 chars
 * @param authMethod how the actor authenticated ({@code password+totp}, {@code webauthn}, {@code mtls}); may be null
 * @param onBehalfOf the principal an administrator or service acted for (impersonation, delegation); may be null
 */
public record Actor(ActorType type, String id, String authMethod, String onBehalfOf) {

  public Actor {
    Objects.requireNonNull(type, "type");
    id = Text.clean(Objects.requireNonNull(id, "id"), 256);
    authMethod = Text.clean(authMethod, 64);
    onBehalfOf = Text.clean(onBehalfOf, 256);
  }

  public static Actor user(String id, String authMethod) {
    return new Actor(ActorType.USER, id, authMethod, null);
  }

  public static Actor service(String id) {
    return new Actor(ActorType.SERVICE, id, null, null);
  }

  public static Actor system(String id) {
    return new Actor(ActorType.SYSTEM, id, null, null);
  }

  /** The same actor acting on behalf of {@code principal}. */
  public Actor onBehalfOf(String principal) {
    return new Actor(type, id, authMethod, principal);
  }
}
