package dev.bulwark.crypto.internal;

import dev.bulwark.crypto.spi.KeyringRecord;
import dev.bulwark.crypto.spi.KeyringStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A keyring store in process memory. Thread-safe; lost on exit. */
public final class InMemoryKeyringStore implements KeyringStore {
  private final ConcurrentHashMap<String, KeyringRecord> records = new ConcurrentHashMap<>();

  @Override
  public Optional<KeyringRecord> load(String keyringId) {
    return Optional.ofNullable(records.get(keyringId));
  }

  @Override
  public boolean compareAndSet(long expectedRevision, KeyringRecord next) {
    if (next.revision() != expectedRevision + 1) {
      throw new IllegalArgumentException("next.revision must be expectedRevision + 1");
    }
    boolean[] done = {false};
    records.compute(next.keyringId(), (id, current) -> {
      long rev = current == null ? 0 : current.revision();
      if (rev == expectedRevision && (current == null || current.shreddedAt().isEmpty())) {
        done[0] = true;
        return next;
      }
      return current;
    });
    return done[0];
  }

  @Override
  public List<String> keyringIds() {
    List<String> ids = new ArrayList<>(records.keySet());
    ids.sort(null);
    return ids;
  }

  @Override
  public String toString() {
    return "InMemoryKeyringStore[" + records.size() + " keyrings]";
  }
}
