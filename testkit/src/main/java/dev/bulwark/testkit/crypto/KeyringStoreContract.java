package dev.bulwark.testkit.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.crypto.Bytes;
import dev.bulwark.crypto.KeyState;
import dev.bulwark.crypto.KeyVersion;
import dev.bulwark.crypto.spi.KekRef;
import dev.bulwark.crypto.spi.KeyringRecord;
import dev.bulwark.crypto.spi.KeyringStore;
import dev.bulwark.testkit.StoreContract;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link KeyringStore} meets: absent keyrings load as empty, records come back
 * exactly as stored, compare-and-set succeeds only on the expected revision and changes nothing
 * otherwise, and concurrent writers never both win the same revision.
 */
public abstract class KeyringStoreContract extends StoreContract<KeyringStore> {

  /** A record with {@code versions} versions at {@code revision}. */
  protected KeyringRecord record(String id, long revision, int versions) {
    List<KeyVersion> vs = new ArrayList<>();
    Instant t = clock.instant().plusNanos(123_456_789);
    for (int v = 1; v <= versions; v++) {
      KeyState state = v == versions ? KeyState.PRIMARY : (v == 1 ? KeyState.DESTROYED : KeyState.DECRYPT_ONLY);
      Optional<KekRef> ref = state == KeyState.DESTROYED ? Optional.empty()
          : Optional.of(new KekRef("local", Bytes.copyOf(new byte[] {(byte) v, 0, (byte) 0xff, 7})));
      vs.add(new KeyVersion(v, state, t.plus(Duration.ofDays(v)), 1000L * v, ref));
    }
    return new KeyringRecord(id, revision, vs, 1, Optional.empty());
  }

  @Test
  void load_ofUnknownKeyring_isEmpty() throws Exception {
    assertEquals(Optional.empty(), store.load("never-created"));
    assertEquals(List.of(), store.keyringIds());
  }

  @Test
  void compareAndSet_createsThenUpdates_andLoadReturnsExactlyWhatWasStored() throws Exception {
    KeyringRecord r1 = record("tenant-a", 1, 1);
    assertTrue(store.compareAndSet(0, r1));
    assertEquals(Optional.of(r1), store.load("tenant-a"));
    KeyringRecord r2 = record("tenant-a", 2, 3);
    assertTrue(store.compareAndSet(1, r2));
    assertEquals(Optional.of(r2), store.load("tenant-a"));
  }

  @Test
  void compareAndSet_withStaleRevision_failsAndChangesNothing() throws Exception {
    KeyringRecord r1 = record("tenant-a", 1, 1);
    assertTrue(store.compareAndSet(0, r1));
    assertFalse(store.compareAndSet(0, record("tenant-a", 1, 2)));
    assertTrue(store.compareAndSet(1, record("tenant-a", 2, 2)));
    assertFalse(store.compareAndSet(1, record("tenant-a", 2, 3)));
    assertEquals(Optional.of(record("tenant-a", 2, 2)), store.load("tenant-a"));
  }

  @Test
  void compareAndSet_withNonConsecutiveRevision_isRejected() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> store.compareAndSet(0, record("tenant-a", 2, 1)));
    assertEquals(Optional.empty(), store.load("tenant-a"));
  }

  @Test
  void tombstones_roundTrip() throws Exception {
    KeyringRecord live = record("subject-9", 1, 2);
    assertTrue(store.compareAndSet(0, live));
    List<KeyVersion> destroyed = new ArrayList<>();
    for (KeyVersion v : live.versions()) {
      destroyed.add(new KeyVersion(v.version(), KeyState.DESTROYED, v.createdAt(), v.encryptionsReserved(), Optional.empty()));
    }
    KeyringRecord tomb = new KeyringRecord("subject-9", 2, destroyed, 1, Optional.of(clock.instant()));
    assertTrue(store.compareAndSet(1, tomb));
    assertEquals(Optional.of(tomb), store.load("subject-9"));
  }

  @Test
  void keyringIds_areSortedAndIndependent() throws Exception {
    assertTrue(store.compareAndSet(0, record("b", 1, 1)));
    assertTrue(store.compareAndSet(0, record("a", 1, 1)));
    assertTrue(store.compareAndSet(0, record("c", 1, 2)));
    assertEquals(List.of("a", "b", "c"), store.keyringIds());
    assertEquals(Optional.of(record("a", 1, 1)), store.load("a"));
  }

  @Test
  void concurrentWriters_neverBothWinARevision() throws Exception {
    assertTrue(store.compareAndSet(0, record("race", 1, 1)));
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> wins = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Callable<Integer> task = () -> {
        go.await();
        int won = 0;
        for (int i = 0; i < 20; i++) {
          KeyringRecord cur = store.load("race").orElseThrow();
          if (store.compareAndSet(cur.revision(), record("race", cur.revision() + 1, 1 + (int) (cur.revision() % 3)))) {
            won++;
          }
        }
        return won;
      };
      wins.add(pool.submit(task));
    }
    go.countDown();
    int total = 0;
    for (Future<Integer> f : wins) {
      total += f.get();
    }
    pool.shutdown();
    assertEquals(1 + total, store.load("race").orElseThrow().revision());
  }
}
