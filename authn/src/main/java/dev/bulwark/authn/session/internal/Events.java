package dev.bulwark.authn.session.internal;

import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventListener;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Delivers security events for the session, step-up, grant, WebAuthn and token components. A
 * listener that throws never changes the outcome of the operation that emitted the event (see
 * {@link SecurityEventListener}).
 */
public final class Events {

  private Events() {}

  public static void emit(
      SecurityEventListener listener, String type, String subject, Instant at, Map<String, String> details) {
    SecurityEvent event =
        new SecurityEvent(type, Optional.ofNullable(subject), at, Optional.empty(), details);
    try {
      listener.onEvent(event);
    } catch (RuntimeException ignored) {
      // By contract a failing listener does not change the outcome; the host sees its own failure.
    }
  }
}
