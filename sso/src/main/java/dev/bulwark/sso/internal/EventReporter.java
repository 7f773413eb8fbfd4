package dev.bulwark.sso.internal;

import dev.bulwark.sso.Protocol;
import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoEvent;
import dev.bulwark.sso.SsoEventListener;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * How the SAML service provider and the OIDC relying party tell the host's
 * {@link SsoEventListener} what a flow ended with: one {@link SsoEvent} per outcome, naming the
 * protocol and the identity provider, stamped with the flow's clock. A listener that throws never
 * changes the outcome. Immutable; thread-safe when the listener is.
 */
public record EventReporter(SsoEventListener listener, Protocol protocol, String identityProvider, Clock clock) {

  public EventReporter {
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(clock, "clock");
  }

  /** Hands the event to the listener; its exceptions are dropped. */
  public void report(SsoEvent.Type type, Optional<String> subject, Optional<RefusalReason> reason) {
    try {
      listener.onEvent(new SsoEvent(type, protocol, identityProvider, subject, reason, clock.instant()));
    } catch (RuntimeException ignored) {
      // a listener never changes the outcome
    }
  }
}
