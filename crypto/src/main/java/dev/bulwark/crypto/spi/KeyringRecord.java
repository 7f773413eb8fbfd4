package dev.bulwark.crypto.spi;

import dev.bulwark.crypto.KeyState;
import dev.bulwark.crypto.KeyVersion;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The stored state of one keyring (or key scope): its KEK versions, minimum decryptable version
 * and, once shredded, its tombstone.
 *
 * @param keyringId 1..64 characters of {@code [A-Za-z0-9._:-]}
 * @param revision incremented by every write; stores use it for compare-and-set
 * @param versions every version ever created, in order (destroyed ones included)
 * @param minDecryptableVersion versions below it do not decrypt (reversible)
 * @param shreddedAt present once the scope was shredded: a tombstone, never re-created
 */
public record KeyringRecord(
    String keyringId, long revision, List<KeyVersion> versions, int minDecryptableVersion,
    Optional<Instant> shreddedAt) {

  /** Validates and copies. */
  public KeyringRecord {
    validateId(keyringId);
    if (revision < 1) {
      throw new IllegalArgumentException("revision starts at 1");
    }
    versions = List.copyOf(versions);
    for (int i = 0; i < versions.size(); i++) {
      if (versions.get(i).version() != i + 1) {
        throw new IllegalArgumentException("versions must be numbered 1..n in order");
      }
    }
    long primaries = versions.stream().filter(v -> v.state() == KeyState.PRIMARY).count();
    if (shreddedAt.isPresent()) {
      if (versions.stream().anyMatch(v -> v.state() != KeyState.DESTROYED)) {
        throw new IllegalArgumentException("a shredded keyring keeps only destroyed versions");
      }
    } else if (primaries != 1) {
      throw new IllegalArgumentException("a live keyring has exactly one primary version");
    }
    if (minDecryptableVersion < 1) {
      throw new IllegalArgumentException("minDecryptableVersion starts at 1");
    }
  }

  /** Throws {@link IllegalArgumentException} unless {@code id} is a valid keyring id. */
  public static void validateId(String id) {
    if (id == null || id.isEmpty() || id.length() > 64) {
      throw new IllegalArgumentException("keyring ids are 1..64 characters");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == ':' || c == '-';
      if (!ok) {
        throw new IllegalArgumentException("keyring ids use only [A-Za-z0-9._:-]");
      }
    }
  }

  /** The primary version, if the keyring is live. */
  public Optional<KeyVersion> primary() {
    return versions.stream().filter(v -> v.state() == KeyState.PRIMARY).findFirst();
  }

  /** The given version, if it exists. */
  public Optional<KeyVersion> version(int version) {
    return version >= 1 && version <= versions.size() ? Optional.of(versions.get(version - 1)) : Optional.empty();
  }
}
