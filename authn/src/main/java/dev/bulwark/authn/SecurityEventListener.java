package dev.bulwark.authn;

/**
 * Receives the {@link SecurityEvent}s that authentication components emit. A host connects it to
 * its audit log (for example {@code bulwark-audit}) with a lambda; {@code bulwark-authn} has no
 * dependency on any audit implementation.
 *
 * <p>Contract for implementers: {@link #onEvent} MUST be thread-safe; it is called on the
 * thread that performed the operation, after the operation's outcome is decided. It SHOULD return
 * quickly, and return only once the event is recorded (for an audit log: durable).
 *
 * <p>An exception it throws is never swallowed silently. Wrapped in a {@link SecurityEventGuard},
 * it is counted and handed to the host's fallback, and with {@code failClosed(true)} the emitting
 * operation is refused with {@link SecurityEventNotRecordedException} (a login does not succeed, a
 * session is not issued). A plain listener's exception is reported through {@link System.Logger}
 * ({@code dev.bulwark.authn}, ERROR) and does not change the outcome of the operation.
 *
 * <p>Event types are the names in {@link SecurityEventType}, and detail keys match
 * {@code [a-z][a-z0-9_.-]{0,63}}: the same vocabulary and key syntax {@code bulwark-audit}
 * accepts, so every event can be appended to an audit log as it is.
 */
@FunctionalInterface
public interface SecurityEventListener {

  /** A listener that drops every event. */
  SecurityEventListener NONE = event -> {};

  void onEvent(SecurityEvent event);
}
