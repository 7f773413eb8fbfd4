package dev.bulwark.authz;

/**
 * Receives every change to the policy and its bindings, after it is stored; hosts forward these
 * to their audit log. Called on the thread that made the change. MUST NOT block for long.
 * An exception it throws is wrapped once in an {@link IllegalStateException} and reaches the
 * caller of the change (which is already stored).
 */
@FunctionalInterface
public interface AuthzListener {

  /** Ignores every event. */
  AuthzListener NONE = e -> { };

  void onEvent(AuthzEvent event);
}
