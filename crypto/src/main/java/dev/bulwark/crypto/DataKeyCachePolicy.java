package dev.bulwark.crypto;

import java.time.Duration;

/**
 * Hard limits on reusing one data key (DEK) across messages, so that a remote KEK is not called
 * per message. A reused DEK never encrypts directly: every message derives its own AES key from
 * the DEK and a fresh 256-bit random salt (HKDF-SHA256), so the AES-GCM nonce bound applies per
 * message, not per DEK. Decryption caches unwrapped DEKs under the same age limit.
 *
 * @param maxMessages the most messages one DEK encrypts (1 = no reuse)
 * @param maxBytes the most plaintext bytes one DEK encrypts
 * @param maxAge the longest a DEK is used or kept after it was created
 */
public record DataKeyCachePolicy(long maxMessages, long maxBytes, Duration maxAge) {

  /** No caching: a fresh DEK per message and a KEK call per encryption and decryption. */
  public static final DataKeyCachePolicy NONE = new DataKeyCachePolicy(1, Long.MAX_VALUE, Duration.ofNanos(1));

  /** Validates the limits. */
  public DataKeyCachePolicy {
    if (maxMessages < 1 || maxMessages > (1L << 32)) {
      throw new IllegalArgumentException("maxMessages must be in 1..2^32");
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be positive");
    }
    if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive");
    }
  }

  /** Whether this policy reuses data keys at all. */
  public boolean enabled() {
    return maxMessages > 1;
  }
}
