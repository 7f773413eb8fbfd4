package dev.bulwark.authn.recovery.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the host keeps each account's recovery-code hashes (never the codes).
 *
 * <p>Contract for implementers:
 * <ul>
 *   <li>{@link #replaceAll} atomically replaces the whole set: after it returns no old hash is
 *       usable.
 *   <li>{@link #consume} atomically removes one hash and returns true only to the one caller
 *       that removed it; concurrent or repeated calls for the same hash return false. (SQL:
 *       {@code DELETE ... WHERE account_id = ? AND code_hash = ?} and check the update count.)
 *   <li>MUST be thread-safe; MUST NOT return null (an empty list when there are no codes).
 *       Exceptions propagate; a failed call changes nothing.
 * </ul>
 */
public interface RecoveryCodeStore {

  List<String> hashes(String accountId);

  void replaceAll(String accountId, List<String> hashes);

  boolean consume(String accountId, String hash);

  /** A store in a concurrent map, for tests and single-node hosts. */
  static RecoveryCodeStore inMemory() {
    ConcurrentHashMap<String, List<String>> map = new ConcurrentHashMap<>();
    return new RecoveryCodeStore() {
      @Override
      public List<String> hashes(String accountId) {
        return map.getOrDefault(accountId, List.of());
      }

      @Override
      public void replaceAll(String accountId, List<String> hashes) {
        map.put(accountId, List.copyOf(hashes));
      }

      @Override
      public boolean consume(String accountId, String hash) {
        boolean[] removed = {false};
        map.computeIfPresent(accountId, (k, old) -> {
          if (!old.contains(hash)) {
            return old;
          }
          List<String> rest = new ArrayList<>(old);
          rest.remove(hash);
          removed[0] = true;
          return List.copyOf(rest);
        });
        return removed[0];
      }
    };
  }
}
