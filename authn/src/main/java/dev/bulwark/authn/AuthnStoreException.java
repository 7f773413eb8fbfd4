package dev.bulwark.authn;

import dev.bulwark.common.StoreException;

/**
 * A store behind bulwark-authn (PostgreSQL, Redis, or a host's implementation of an authn SPI)
 * did not answer, or answered something unusable. Nothing was decided: a login, check or
 * revocation that meets this exception did not happen, and retrying later may succeed. The
 * underlying cause ({@link java.sql.SQLException}, a Redis client exception, …) is attached.
 *
 * <p>Unchecked, like every module's store exception (see {@link StoreException}); expected
 * refusals of a flow are checked exceptions with a reason ({@code TokenException},
 * {@code SessionException}, {@code GrantException}, {@code WebAuthnException}) or result values.
 * The message names the operation, never a secret, a token or a user's input.
 */
public final class AuthnStoreException extends StoreException {

  private static final long serialVersionUID = 1L;

  /** @param message the operation that failed; never a secret or a user's input */
  public AuthnStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** @param message what the store answered that cannot be used; never a secret */
  public AuthnStoreException(String message) {
    super(message);
  }
}
