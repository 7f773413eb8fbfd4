package dev.bulwark.detect;

import dev.bulwark.common.StoreException;

/**
 * A store of this module could not answer.
 *
 * <ul>
 *   <li>A breached-password source: the range API did not answer, answered an error status or
 *       something that is not a range, or the offline index could not be read. Nothing was
 *       decided; the host chooses whether a sign-up or password change waits, retries or proceeds
 *       without the check. The cause is a {@link RangeFormatException} for an unusable answer,
 *       another {@link java.io.IOException} for a transport or file failure.
 *   <li>A detection state ({@link dev.bulwark.detect.spi.DetectState}): PostgreSQL or Redis did not
 *       answer in time, the connection was lost, or the state held something unreadable. The
 *       {@link Detector} turns it into a {@code state_unavailable} finding at its state-failure
 *       level (MEDIUM by default), never into a quiet assessment.
 * </ul>
 *
 * The message names the store and the operation, never a password, its hash or an account.
 */
public final class DetectStoreException extends StoreException {

  private static final long serialVersionUID = 1L;

  public DetectStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public DetectStoreException(String message) {
    super(message);
  }
}
