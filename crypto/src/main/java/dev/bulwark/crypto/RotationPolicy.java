package dev.bulwark.crypto;

import java.time.Duration;

/**
 * When a keyring rotates on its own: once the primary KEK is older than {@code maxAge}, or once
 * {@code maxEncryptions} messages were encrypted under it, the next encryption first rotates.
 *
 * @param maxAge the longest a version stays primary
 * @param maxEncryptions the most messages encrypted under one version; at most 2^31 so that every
 *     random 96-bit nonce drawn under one key stays far below the NIST SP 800-38D bound of 2^32
 */
public record RotationPolicy(Duration maxAge, long maxEncryptions) {

  /** The default: 90 days or 2^30 messages, whichever comes first. */
  public static final RotationPolicy DEFAULT = new RotationPolicy(Duration.ofDays(90), 1L << 30);

  /** Validates the limits. */
  public RotationPolicy {
    if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive");
    }
    if (maxEncryptions < 1 || maxEncryptions > (1L << 31)) {
      throw new IllegalArgumentException("maxEncryptions must be in 1..2^31");
    }
  }
}
