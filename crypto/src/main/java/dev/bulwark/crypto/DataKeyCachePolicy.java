package dev.bulwark.crypto;

import java.time.Duration;

/**
 * Hard limits on reusing one data key (DEK) across messages, so that a remote KEK is not called
 * per message. A reused DEK never encrypts directly: every message derives its own AES key from
 * the DEK and a fresh 256-bit random salt (HKDF-SHA256), so the AES-GCM nonce bound applies per
 * message, not per DEK. Decryption caches unwrapped DEKs under the same age limit.
 *
 * <p>Every use is counted before it happens, so under any concurrency a cached DEK serves at most
 * {@code maxMessages} messages and {@code maxBytes} plaintext bytes, and none after {@code maxAge}.
 * A message larger than {@code maxBytes} gets a DEK of its own; streams (whose length is unknown
 * when they start) always get one. Each keyring (scope) has its own cache, so tenants never share
 * a DEK.
 *
 * @param maxMessages the most messages one DEK encrypts (1 = no reuse)
 * @param maxBytes the most plaintext bytes one DEK encrypts
 * @param maxAge the longest a DEK is used or kept after it was created
 */
public record DataKeyCachePolicy(long maxMessages, long maxBytes, Duration maxAge) {

  /** No caching: a fresh DEK per message and a KEK call per encryption and decryption. */
  public static final DataKeyCachePolicy NONE = new DataKeyCachePolicy(1, Long.MAX_VALUE, Duration.ofNanos(1));

  /**
   * The default of {@link Envelope}: one DEK serves at most 65,536 messages, 4 GiB of plaintext or
   * 5 minutes, whichever comes first; so a busy keyring calls its KEK about once per 5 minutes per
   * process instead of once per message, and a DEK seen in memory exposes at most that much data.
   */
  public static final DataKeyCachePolicy DEFAULT =
      new DataKeyCachePolicy(1L << 16, 1L << 32, Duration.ofMinutes(5));

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
