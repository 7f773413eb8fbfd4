package dev.bulwark.testkit.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.common.Bytes;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link KeyringStore} meets: absent keyrings load as empty, records come back
 * exactly as stored, compare-and-set succeeds only on the expected revision and changes nothing
 * otherwise, a tombstone is final, and concurrent writers never both win the same revision.
 *
 * <p>A store that several nodes share (a file, a database) also overrides {@link #anotherNode()}
 * to return a second, independent instance over the same storage: the two must see each other's
 * writes and never both win a revision.
 */
public abstract class KeyringStoreContract extends StoreContract<KeyringStore> {

  /**
   * A second instance over the same storage as {@link #store}, as another process or node would
   * open it (its own caches, connections and locks); empty for a store that lives in one object.
   */
  protected Optional<KeyringStore> anotherNode() throws Exception {
    return Optional.empty();
  }

  private KeyringRecord tombstoneOf(KeyringRecord live, long revision) {
    List<KeyVersion> destroyed = new ArrayList<>();
    for (KeyVersion v : live.versions()) {
      destroyed.add(new KeyVersion(v.version(), KeyState.DESTROYED, v.createdAt(), v.encryptionsReserved(), Optional.empty()));
    }
    return new KeyringRecord(live.keyringId(), revision, destroyed, 1, Optional.of(clock.instant()));
  }

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
  void tombstone_isFinal_noWriteReplacesOrRecreatesIt() throws Exception {
    KeyringRecord live = record("subject-1", 1, 2);
    assertTrue(store.compareAndSet(0, live));
    KeyringRecord tomb = tombstoneOf(live, 2);
    assertTrue(store.compareAndSet(1, tomb));
    assertFalse(store.compareAndSet(2, record("subject-1", 3, 3)), "a live record over a tombstone");
    assertFalse(store.compareAndSet(2, tombstoneOf(live, 3)), "a second tombstone");
    assertFalse(store.compareAndSet(0, record("subject-1", 1, 1)), "re-creating the scope");
    assertEquals(Optional.of(tomb), store.load("subject-1"));
    assertEquals(List.of("subject-1"), store.keyringIds());
  }

  @Test
  void twoNodes_seeEachOthersWrites_andAStaleWriterLoses() throws Exception {
    Optional<KeyringStore> other = anotherNode();
    Assumptions.assumeTrue(other.isPresent(), "a store in one object has no second node");
    KeyringStore b = other.get();
    assertEquals(Optional.empty(), b.load("shared"));
    assertTrue(store.compareAndSet(0, record("shared", 1, 1)));
    assertEquals(Optional.of(record("shared", 1, 1)), b.load("shared"));
    assertFalse(b.compareAndSet(0, record("shared", 1, 2)), "b creates a keyring a created");
    assertTrue(b.compareAndSet(1, record("shared", 2, 2)));
    assertFalse(store.compareAndSet(1, record("shared", 2, 3)), "a writes over b with a stale revision");
    assertEquals(Optional.of(record("shared", 2, 2)), store.load("shared"));
    assertTrue(store.compareAndSet(2, tombstoneOf(record("shared", 2, 2), 3)));
    assertFalse(b.compareAndSet(3, record("shared", 4, 3)), "b revives a scope a shredded");
    assertEquals(store.load("shared"), b.load("shared"));
    assertEquals(List.of("shared"), b.keyringIds());
  }

  @Test
  void twoNodes_racing_neverBothWinARevision() throws Exception {
    Optional<KeyringStore> other = anotherNode();
    Assumptions.assumeTrue(other.isPresent(), "a store in one object has no second node");
    List<KeyringStore> nodes = List.of(store, other.get());
    assertTrue(store.compareAndSet(0, record("race", 1, 1)));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> wins = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      KeyringStore node = nodes.get(t % 2);
      wins.add(pool.submit(() -> {
        go.await();
        int won = 0;
        for (int i = 0; i < 15; i++) {
          KeyringRecord cur = node.load("race").orElseThrow();
          if (node.compareAndSet(cur.revision(), record("race", cur.revision() + 1, 1 + (int) (cur.revision() % 3)))) {
            won++;
          }
        }
        return won;
      }));
    }
    go.countDown();
    int total = 0;
    for (Future<Integer> f : wins) {
      total += f.get();
    }
    pool.shutdown();
    assertTrue(total > 0);
    assertEquals(1 + total, store.load("race").orElseThrow().revision());
    assertEquals(1 + total, other.get().load("race").orElseThrow().revision());
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
