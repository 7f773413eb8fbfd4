package dev.bulwark.lifecycle;

import dev.bulwark.common.StoreException;

/**
 * The infrastructure behind the lifecycle store failed: the database did not answer or refused
 * a statement, rows stayed locked by another transaction, the key store behind a {@link
 * dev.bulwark.lifecycle.spi.KeyShredder} or a host's {@link dev.bulwark.lifecycle.spi.ExpiryHandler}
 * failed. Unchecked, always with the cause. The step that failed changed nothing (its
 * transaction rolled back); retrying later may succeed. An expected refusal (a hold, a safety
 * rail) is a checked {@link LifecycleException} instead.
 */
public final class LifecycleStoreException extends StoreException {

  private static final long serialVersionUID = 1L;

  public LifecycleStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
