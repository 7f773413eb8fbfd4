package dev.bulwark.crypto;

import java.time.Duration;

/**
 * Hard limits on reusing one data key (DEK) across messages, so that a remote KEK is not called
 * per message.
 *
 * <p>Every message under a DEK is encrypted with AES-256-GCM under the DEK's content key (derived
 * once per DEK with HKDF-SHA256) and its own random 96-bit nonce. What keeps the nonces safe is
 * the message limit: {@code n} messages under one key repeat a random 96-bit nonce with probability
 * below n²/2^97, so the limit is capped at {@link #MAX_MESSAGES} = 2^24 (at most 2^-49) whatever a
 * host configures; the default of 2^16 gives at most 2^-65. NIST SP 800-38D allows 2^32 such
 * messages per key. The byte limit is capped at {@link #MAX_BYTES} = 2^38 (256 GiB, 2^34 AES
 * blocks), which keeps the volume term of AES-GCM's security bound (blocks² / 2^129) below 2^-61;
 * the default 4 GiB gives 2^-73.
 *
 * <p>Every use is counted before it happens, so under any concurrency a cached DEK serves at most
 * {@code maxMessages} messages and {@code maxBytes} plaintext bytes, and none after {@code maxAge}.
 * A message larger than {@code maxBytes} gets a DEK of its own; streams (whose length is unknown
 * when they start) always get one. Each keyring (scope) has its own cache, so tenants never share
 * a DEK. Decryption caches unwrapped DEKs under the same message and age limits.
 *
 * @param maxMessages the most messages one DEK encrypts (1 = no reuse; at most 2^24)
 * @param maxBytes the most plaintext bytes one DEK encrypts (at most 2^38)
 * @param maxAge the longest a DEK is used or kept after it was created
 */
public record DataKeyCachePolicy(long maxMessages, long maxBytes, Duration maxAge) {

  /** The most messages any policy lets one data key encrypt: 2^24. */
  public static final long MAX_MESSAGES = 1L << 24;

  /** The most plaintext bytes any policy lets one data key encrypt: 2^38 (256 GiB). */
  public static final long MAX_BYTES = 1L << 38;

  /** No caching: a fresh DEK per message and a KEK call per encryption and decryption. */
  public static final DataKeyCachePolicy NONE = new DataKeyCachePolicy(1, MAX_BYTES, Duration.ofNanos(1));

  /**
   * The default of {@link Envelope}: one DEK serves at most 65,536 messages, 4 GiB of plaintext or
   * 5 minutes, whichever comes first; so a busy keyring calls its KEK about once per 5 minutes per
   * process instead of once per message, and a DEK seen in memory exposes at most that much data.
   */
  public static final DataKeyCachePolicy DEFAULT =
      new DataKeyCachePolicy(1L << 16, 1L << 32, Duration.ofMinutes(5));

  /** Validates the limits. */
  public DataKeyCachePolicy {
    if (maxMessages < 1 || maxMessages > MAX_MESSAGES) {
      throw new IllegalArgumentException("maxMessages must be in 1..2^24");
    }
    if (maxBytes < 1 || maxBytes > MAX_BYTES) {
      throw new IllegalArgumentException("maxBytes must be in 1..2^38");
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
