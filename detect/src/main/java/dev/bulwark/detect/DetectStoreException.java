package dev.bulwark.detect;

import dev.bulwark.common.StoreException;

/**
 * A breached-password source could not answer: the range API did not answer, answered an error
 * status or something that is not a range, or the offline index could not be read. Nothing was
 * decided; the host chooses whether a sign-up or password change waits, retries or proceeds
 * without the check. The cause is attached ({@link RangeFormatException} for an unusable answer,
 * another {@link java.io.IOException} for a transport or file failure); the message names the
 * source and never a password or its hash.
 */
public final class DetectStoreException extends StoreException {

  private static final long serialVersionUID = 1L;

  public DetectStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
