package dev.bulwark.sso;

/**
 * Receives an {@link SsoEvent} for every sign-in and logout, successful or refused; a host wires it
 * to its audit log or detection.
 *
 * <p>Implementations MUST be thread-safe and SHOULD return quickly. An exception thrown here is
 * caught and ignored: it never turns a refusal into a success or a success into a refusal.
 */
@FunctionalInterface
public interface SsoEventListener {

  void onEvent(SsoEvent event);

  /** Discards every event. */
  SsoEventListener NONE = event -> {};
}
