package dev.bulwark.authn.session.internal;

import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.internal.EventDelivery;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Delivers security events for the session, step-up, grant, WebAuthn and token components through
 * {@link EventDelivery}: a failing listener is reported, and refuses the operation only when it is a
 * fail-closed {@link dev.bulwark.authn.SecurityEventGuard} (see {@link SecurityEventListener}).
 */
public final class Events {

  private Events() {}

  public static void emit(
      SecurityEventListener listener, String type, String subject, Instant at, Map<String, String> details) {
    SecurityEvent event =
        new SecurityEvent(type, Optional.ofNullable(subject), at, Optional.empty(), details);
    EventDelivery.deliver(listener, event);
  }
}
