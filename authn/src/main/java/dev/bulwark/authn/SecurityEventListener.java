package dev.bulwark.authn;

/**
 * Receives the {@link SecurityEvent}s that authentication components emit. A host connects it to
 * its audit log (for example {@code bulwark-audit}) with a lambda; {@code bulwark-authn} has no
 * dependency on any audit implementation.
 *
 * <p>Contract for implementers: {@link #onEvent} MUST be thread-safe; it is called on the
 * thread that performed the operation, after the operation's outcome is decided. It SHOULD return
 * quickly. An exception it throws is caught by the emitting component and does not change the
 * outcome of the operation (a failed login stays failed, a successful one stays successful); hosts
 * that need fail-closed auditing should make their listener block until the event is durable.
 */
@FunctionalInterface
public interface SecurityEventListener {

  /** A listener that drops every event. */
  SecurityEventListener NONE = event -> {};

  void onEvent(SecurityEvent event);
}
