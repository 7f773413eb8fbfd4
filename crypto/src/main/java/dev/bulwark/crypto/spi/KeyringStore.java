package dev.bulwark.crypto.spi;

import dev.bulwark.crypto.KeyringIntegrityException;
import java.util.List;
import java.util.Optional;

/**
 * Persists keyring records. Several nodes may share one store; all coordination goes through
 * {@link #compareAndSet}.
 *
 * <p>Implementations MUST be thread-safe, MUST NOT return null, MUST make a successful
 * {@link #compareAndSet} durable before returning, and MUST leave the stored record unchanged when
 * they throw. A tombstone (a record with {@link KeyringRecord#shreddedAt()}) is final: a
 * {@link #compareAndSet} over it MUST return false, so a shredded scope is never re-created or
 * revived. Records hold only {@link KekRef}s, never raw KEKs.
 *
 * <p>Failures: an outage (I/O, the database, a remote master key) is an unchecked {@link
 * dev.bulwark.crypto.CryptoStoreException} with its cause; stored data that does not authenticate
 * or is malformed is a {@link KeyringIntegrityException} (a cryptographic verdict). The contract tests in
 * {@code bulwark-testkit} ({@code KeyringStoreContract}) check all of this.
 */
public interface KeyringStore {
  /** The record of {@code keyringId}, or empty if it was never created. */
  Optional<KeyringRecord> load(String keyringId) throws KeyringIntegrityException;

  /**
   * Stores {@code next} if the current revision of its keyring is {@code expectedRevision}
   * ({@code 0} when the keyring must not exist yet). {@code next.revision()} must be
   * {@code expectedRevision + 1}.
   *
   * @return false, changing nothing, if another writer got there first or the stored record is a
   *     tombstone
   */
  boolean compareAndSet(long expectedRevision, KeyringRecord next) throws KeyringIntegrityException;

  /** The ids of every stored keyring (tombstones included), sorted. */
  List<String> keyringIds() throws KeyringIntegrityException;
}
