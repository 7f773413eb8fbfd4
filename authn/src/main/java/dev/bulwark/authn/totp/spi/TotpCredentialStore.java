package dev.bulwark.authn.totp.spi;

import dev.bulwark.authn.totp.TotpCredential;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the host keeps each account's enrolled TOTP credential (one per account).
 *
 * <p>Contract for implementers: MUST be thread-safe; MUST NOT return null ({@code Optional.empty()}
 * when there is none). {@link #save} replaces any earlier credential of the account. Exceptions
 * propagate to the caller; a failed save must leave the earlier credential in place.
 */
public interface TotpCredentialStore {

  Optional<TotpCredential> find(String accountId);

  void save(TotpCredential credential);

  /** Deletes the account's credential; true if there was one. */
  boolean delete(String accountId);

  /** A store in a concurrent map, for tests and single-node hosts that keep accounts in memory. */
  static TotpCredentialStore inMemory() {
    ConcurrentHashMap<String, TotpCredential> map = new ConcurrentHashMap<>();
    return new TotpCredentialStore() {
      @Override
      public Optional<TotpCredential> find(String accountId) {
        return Optional.ofNullable(map.get(accountId));
      }

      @Override
      public void save(TotpCredential credential) {
        map.put(credential.accountId(), credential);
      }

      @Override
      public boolean delete(String accountId) {
        return map.remove(accountId) != null;
      }
    };
  }
}
