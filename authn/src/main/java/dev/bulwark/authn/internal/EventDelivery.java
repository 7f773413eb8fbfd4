package dev.bulwark.authn.internal;

import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventGuard;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.SecurityEventNotRecordedException;

/**
 * How every authn component hands an event to its listener: a fail-closed
 * {@link SecurityEventGuard}'s refusal propagates (the operation is refused); any other listener
 * failure is reported through {@link SecurityEventGuard#LOG_FALLBACK} and does not change the
 * outcome. Nothing is swallowed silently.
 */
public final class EventDelivery {

  private EventDelivery() {}

  public static void deliver(SecurityEventListener listener, SecurityEvent event) {
    try {
      listener.onEvent(event);
    } catch (SecurityEventNotRecordedException refused) {
      throw refused;
    } catch (RuntimeException failure) {
      SecurityEventGuard.LOG_FALLBACK.accept(event, failure);
    }
  }
}
