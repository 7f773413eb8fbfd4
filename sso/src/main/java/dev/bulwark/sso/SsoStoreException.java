package dev.bulwark.sso;

import dev.bulwark.common.StoreException;

/**
 * A store this module relies on (the replay cache's database, a full in-memory replay cache)
 * could not do its job. It is an infrastructure failure, not a verdict on a message: a sign-in
 * that meets it is refused with {@link RefusalReason#STORE_UNAVAILABLE}, never accepted. The
 * message names the store and the operation, never a message's content.
 */
public final class SsoStoreException extends StoreException {

  private static final long serialVersionUID = 1L;

  public SsoStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public SsoStoreException(String message) {
    super(message);
  }
}
