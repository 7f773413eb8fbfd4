package dev.bulwark.lifecycle.spi;

import dev.bulwark.lifecycle.LifecycleEvent;

/**
 * Receives every {@link LifecycleEvent}: the host connects it to its audit log.
 *
 * <p>Called synchronously on the thread that did the work, after the change committed.
 * Deletion evidence is delivered at least once (after a crash, evidence stored but not yet
 * delivered is delivered on the next purge run); deduplicate by {@code evidence.id()}.
 * MUST be thread-safe. An exception does not undo the committed change; evidence whose delivery
 * failed stays pending and is delivered again. It is never silent: a plain listener's exception is
 * reported through {@link System.Logger} ({@code dev.bulwark.lifecycle}, ERROR); wrapped in a
 * {@link dev.bulwark.lifecycle.LifecycleEventGuard} it is counted, handed to the host's fallback
 * and, when the guard fails closed, refuses the operation.
 */
@FunctionalInterface
public interface LifecycleListener {

  /** A listener that drops everything. */
  LifecycleListener NONE = e -> { };

  void onEvent(LifecycleEvent event) throws Exception;
}
