package dev.bulwark.authz;

import java.time.Instant;
import java.util.Objects;

/**
 * One change to the policy or its bindings, for the audit log.
 *
 * @param type what changed
 * @param actor who changed it (as the host named them)
 * @param subject the binding id, or the policy's version label for definition changes
 * @param detail a sentence naming principal, role, organization and scope where they apply
 * @param at when
 * @param revision the store revision after the change
 */
public record AuthzEvent(Type type, String actor, String subject, String detail, Instant at, long revision) {

  /** The kinds of change. */
  public enum Type { POLICY_LOADED, BINDING_ADDED, BINDING_REMOVED, BINDING_CERTIFIED, BINDING_REVOKED }

  public AuthzEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(at, "at");
  }
}
