package dev.bulwark.lifecycle.spi;

import dev.bulwark.lifecycle.LifecycleEvent;

/**
 * Receives every {@link LifecycleEvent}: the host connects it to its audit log.
 *
 * <p>Called synchronously on the thread that did the work, after the change committed.
 * Deletion evidence is delivered at least once (after a crash, evidence stored but not yet
 * delivered is delivered on the next purge run); deduplicate by {@code evidence.id()}.
 * MUST be thread-safe. An exception is caught and does not undo the committed change; evidence
 * whose delivery failed stays pending and is delivered again.
 */
@FunctionalInterface
public interface LifecycleListener {

  /** A listener that drops everything. */
  LifecycleListener NONE = e -> { };

  void onEvent(LifecycleEvent event) throws Exception;
}
