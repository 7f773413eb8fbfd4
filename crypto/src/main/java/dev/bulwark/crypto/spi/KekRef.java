package dev.bulwark.crypto.spi;

import dev.bulwark.common.Bytes;

/**
 * A provider's reference to one KEK, stored in the keyring record: for an HSM a key label, for a
 * local provider the KEK wrapped under the master key. Never the raw KEK.
 *
 * @param providerId the {@link KekProvider#providerId()} that created it
 * @param reference opaque provider bytes (1..8192)
 */
public record KekRef(String providerId, Bytes reference) {
  /** Validates. */
  public KekRef {
    if (providerId == null || providerId.isEmpty() || providerId.length() > 64) {
      throw new IllegalArgumentException("providerId must be 1..64 characters");
    }
    if (reference == null || reference.length() == 0 || reference.length() > 8192) {
      throw new IllegalArgumentException("reference must be 1..8192 bytes");
    }
  }
}
