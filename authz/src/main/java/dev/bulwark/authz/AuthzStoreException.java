package dev.bulwark.authz;

import dev.bulwark.common.StoreException;

/**
 * The policy store could not be read or written: the database did not answer, the tables are
 * missing or of another shape, or the stored definitions no longer validate. Nothing was decided
 * and nothing was written; retrying later may succeed. A revision conflict is not a failure (the
 * store answers it with an empty result), nor is a policy that does not validate
 * ({@link PolicyException}). The message names the operation, never a principal or a resource.
 */
public final class AuthzStoreException extends StoreException {

  private static final long serialVersionUID = 1L;

  public AuthzStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
