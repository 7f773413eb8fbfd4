package dev.bulwark.crypto;

import dev.bulwark.crypto.spi.KekRef;
import java.time.Instant;
import java.util.Optional;

/**
 * One KEK version of a keyring as stored.
 *
 * @param version the version number, 1 for the first KEK, increasing by one per rotation
 * @param state its life-cycle state
 * @param createdAt when it was created (from the keyring's clock)
 * @param encryptionsReserved an upper bound on the number of messages encrypted under it; nodes
 *     reserve blocks of this counter before using them, so it never undercounts
 * @param kekRef the provider's reference to the KEK; empty once destroyed
 */
public record KeyVersion(
    int version, KeyState state, Instant createdAt, long encryptionsReserved, Optional<KekRef> kekRef) {

  /** Validates the version. */
  public KeyVersion {
    if (version < 1) {
      throw new IllegalArgumentException("key versions start at 1");
    }
    if (state == null || createdAt == null || kekRef == null) {
      throw new IllegalArgumentException("state, createdAt and kekRef must not be null");
    }
    if (encryptionsReserved < 0) {
      throw new IllegalArgumentException("encryptionsReserved must not be negative");
    }
    if (state == KeyState.DESTROYED && kekRef.isPresent()) {
      throw new IllegalArgumentException("a destroyed version keeps no KEK reference");
    }
    if (state != KeyState.DESTROYED && kekRef.isEmpty()) {
      throw new IllegalArgumentException("a live version needs a KEK reference");
    }
  }

  KeyVersion withState(KeyState next) {
    return new KeyVersion(version, next, createdAt, encryptionsReserved,
        next == KeyState.DESTROYED ? Optional.empty() : kekRef);
  }

  KeyVersion withReserved(long reserved) {
    return new KeyVersion(version, state, createdAt, reserved, kekRef);
  }
}
