package dev.bulwark.crypto;

/**
 * Receives the {@link KeyEvent}s of a {@link Keyrings}; a host connects it to its audit log with
 * a lambda ({@code bulwark-crypto} depends on no audit implementation).
 *
 * <p>Contract for implementers: {@link #onEvent} MUST be thread-safe; it is called on the thread
 * that made the change, after the change is stored, and SHOULD return only once the event is
 * recorded. An exception it throws is never swallowed silently: wrapped in a
 * {@link KeyEventGuard} it is counted, handed to the host's fallback and, with
 * {@code failClosed(true)}, thrown to the caller as {@link KeyEventNotRecordedException}; a plain
 * listener's exception is reported through {@link System.Logger} ({@code dev.bulwark.crypto},
 * ERROR). A stored key change is never undone.
 */
@FunctionalInterface
public interface KeyEventListener {

  /** A listener that drops every event. */
  KeyEventListener NONE = event -> { };

  void onEvent(KeyEvent event);
}
