package dev.bulwark.crypto;

import java.time.Instant;
import java.util.List;

/**
 * Evidence that a key scope was crypto-shredded, for the host's audit log.
 *
 * @param scope the keyring id of the scope
 * @param versionsDestroyed every KEK version of the scope, all now destroyed
 * @param shreddedAt when the tombstone was written (from the keyring's clock)
 */
public record ShredReceipt(String scope, List<Integer> versionsDestroyed, Instant shreddedAt) {
  /** Validates and copies. */
  public ShredReceipt {
    if (scope == null || versionsDestroyed == null || shreddedAt == null) {
      throw new IllegalArgumentException("scope, versionsDestroyed and shreddedAt must not be null");
    }
    versionsDestroyed = List.copyOf(versionsDestroyed);
  }
}
