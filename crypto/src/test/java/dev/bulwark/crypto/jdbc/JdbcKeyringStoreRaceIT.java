package dev.bulwark.crypto.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.Aead;
import dev.bulwark.crypto.CryptoStoreException;
import dev.bulwark.crypto.DataKeyCachePolicy;
import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.KeyState;
import dev.bulwark.crypto.KeyVersion;
import dev.bulwark.crypto.Keyring;
import dev.bulwark.crypto.KeyringIntegrityException;
import dev.bulwark.crypto.Keyrings;
import dev.bulwark.crypto.ScopeShreddedException;
import dev.bulwark.crypto.ShredReceipt;
import dev.bulwark.crypto.spi.KekProvider;
import dev.bulwark.crypto.spi.KeyringRecord;
import dev.bulwark.testing.pg.PostgresSchema;
import dev.bulwark.testing.pg.TestPool;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two application nodes, each with its own connection pool and its own {@link Keyrings}, sharing
 * one PostgreSQL schema through {@link JdbcKeyringStore}: rotations and shreds race, and the
 * outcome is exact (every rotation that returned is a version, none lost or doubled; a tombstone
 * is never revived).
 */
class JdbcKeyringStoreRaceIT {
  private static final EncryptionContext CTX = EncryptionContext.of("tenant", "t1");

  private PostgresSchema schema;
  private TestPool poolA;
  private TestPool poolB;
  private Aead master;
  private KekProvider kek;

  @BeforeEach
  void nodes() throws Exception {
    schema = PostgresSchema.create("crypto");
    poolA = schema.pool(4);
    poolB = schema.pool(4);
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    master = KekProviders.masterKey(key);
    kek = KekProviders.local(master);
  }

  @AfterEach
  void drop() throws Exception {
    poolA.close();
    poolB.close();
    schema.close();
  }

  @Test
  void withoutCreateSchema_theStoreOnlyChecks_andNamesTheMigrations() throws Exception {
    CryptoStoreException e = assertThrows(CryptoStoreException.class,
        () -> JdbcKeyringStore.builder(poolA, master).createSchema(false).build());
    assertTrue(e.getMessage().contains("db/migration/bulwark-crypto/"), e.getMessage());
    try (Connection c = poolA.getConnection();
        ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM information_schema.tables"
            + " WHERE table_schema = current_schema()")) {
      rs.next();
      assertEquals(0, rs.getLong(1), "a read-only check creates nothing");
    }
    // The host's migration tool applies the published file; then the store runs no DDL.
    schema.execute(new String(JdbcKeyringStore.class.getResourceAsStream(
        "/db/migration/bulwark-crypto/V1__tables.sql").readAllBytes(), StandardCharsets.UTF_8));
    Keyrings k = Keyrings.builder(JdbcKeyringStore.builder(poolB, master).createSchema(false).build(), kek).build();
    assertEquals(1, k.keyring("tenant-1").primaryVersion());
  }

  private Keyrings node(TestPool pool, Duration refresh) throws GeneralSecurityException {
    return Keyrings.builder(new JdbcKeyringStore(pool, master), kek).refreshInterval(refresh).build();
  }

  @Test
  void twoNodesRotatingAtOnce_neverLoseOrDoubleAVersion_andEveryMessageDecryptsOnBoth() throws Exception {
    Keyrings a = node(poolA, Duration.ofSeconds(30));
    Keyrings b = node(poolB, Duration.ofSeconds(30));
    a.keyring("tenant-1");
    List<Keyrings> nodes = List.of(a, b);
    int threads = 4;
    int rotationsPerThread = 20;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<Integer>>> futures = new ArrayList<>();
    Map<byte[], byte[]> messages = new ConcurrentHashMap<>();
    for (int t = 0; t < threads; t++) {
      Keyrings mine = nodes.get(t % 2);
      Envelope env = Envelope.builder(mine).keyringId("tenant-1").build();
      int id = t;
      futures.add(pool.submit(() -> {
        go.await();
        List<Integer> created = new ArrayList<>();
        for (int i = 0; i < rotationsPerThread; i++) {
          created.add(mine.keyring("tenant-1").rotate().version());
          byte[] pt = ("node " + (id % 2) + " thread " + id + " message " + i).getBytes(StandardCharsets.UTF_8);
          messages.put(env.encrypt(pt, CTX), pt);
        }
        return created;
      }));
    }
    go.countDown();
    List<Integer> all = new ArrayList<>();
    for (Future<List<Integer>> f : futures) {
      all.addAll(f.get(120, TimeUnit.SECONDS));
    }
    pool.shutdown();

    int total = threads * rotationsPerThread;
    Collections.sort(all);
    assertEquals(IntStream.rangeClosed(2, total + 1).boxed().toList(), all, "each rotation made exactly one version");
    assertEquals(total + 2, b.keyring("tenant-1").rotate().version(), "node b continues from the shared state");
    assertEquals(total + 3, a.keyring("tenant-1").rotate().version(), "node a continues from the shared state");
    List<KeyVersion> versions = a.keyring("tenant-1").versions();
    assertEquals(total + 3, versions.size());
    for (int v = 1; v <= versions.size(); v++) {
      assertEquals(v, versions.get(v - 1).version());
      assertEquals(v == versions.size() ? KeyState.PRIMARY : KeyState.DECRYPT_ONLY, versions.get(v - 1).state());
    }
    Envelope envA = Envelope.builder(a).build();
    Envelope envB = Envelope.builder(b).dataKeyCache(DataKeyCachePolicy.NONE).build();
    assertEquals(total, messages.size());
    for (Map.Entry<byte[], byte[]> m : messages.entrySet()) {
      assertArrayEquals(m.getValue(), envA.decrypt(m.getKey(), CTX));
      assertArrayEquals(m.getValue(), envB.decrypt(m.getKey(), CTX));
    }
  }

  @Test
  void aShredRacingRotations_leavesATombstoneWithExactVersions_thatNoNodeRevives() throws Exception {
    Keyrings a = node(poolA, Duration.ZERO);
    Keyrings b = node(poolB, Duration.ZERO);
    Envelope envA = Envelope.builder(a).keyringId("subject-7").build();
    byte[] before = envA.encrypt("before".getBytes(StandardCharsets.UTF_8), CTX);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    CountDownLatch go = new CountDownLatch(1);
    AtomicBoolean stop = new AtomicBoolean();
    Set<Integer> rotated = ConcurrentHashMap.newKeySet();
    List<Future<Integer>> rotators = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Keyrings mine = t == 0 ? a : b;
      rotators.add(pool.submit(() -> {
        go.await();
        int refused = 0;
        while (!stop.get()) {
          try {
            rotated.add(mine.keyring("subject-7").rotate().version());
          } catch (ScopeShreddedException expected) {
            refused++;
            if (refused >= 5) {
              return refused;
            }
          }
        }
        return refused;
      }));
    }
    Future<ShredReceipt> shredder = pool.submit(() -> {
      go.await();
      while (rotated.size() < 10) {
        Thread.onSpinWait();
      }
      return b.shred("subject-7");
    });
    go.countDown();
    ShredReceipt receipt = shredder.get(120, TimeUnit.SECONDS);
    for (Future<Integer> f : rotators) {
      assertEquals(5, f.get(120, TimeUnit.SECONDS), "every rotator is refused once the scope is shredded");
    }
    stop.set(true);
    pool.shutdown();

    Set<Integer> expected = new HashSet<>(rotated);
    expected.add(1);
    assertEquals(expected, new HashSet<>(receipt.versionsDestroyed()),
        "the tombstone lists exactly version 1 and every rotation that returned");
    assertEquals(expected.size(), receipt.versionsDestroyed().size());
    for (Keyrings n : List.of(a, b)) {
      assertThrows(ScopeShreddedException.class, () -> n.keyring("subject-7"));
      assertEquals(receipt, n.shred("subject-7"), "shredding again returns the same facts");
      Keyring k = n.existing("subject-7").orElseThrow();
      assertTrue(k.versions().stream().allMatch(v -> v.state() == KeyState.DESTROYED));
      assertThrows(ScopeShreddedException.class,
          () -> Envelope.builder(n).build().decrypt(before, CTX));
    }
    JdbcKeyringStore store = new JdbcKeyringStore(poolA, master);
    KeyringRecord tomb = store.load("subject-7").orElseThrow();
    assertFalse(store.compareAndSet(0, new KeyringRecord("subject-7", 1, tomb.versions(), 1, tomb.shreddedAt())));
    assertEquals(Boolean.TRUE, column("subject-7", "shredded"));
  }

  @Test
  void storedRecords_areSealed_andAnAlteredMovedOrRolledBackRowIsRefused() throws Exception {
    Keyrings a = node(poolA, Duration.ZERO);
    Keyring one = a.keyring("tenant-one");
    one.rotate();
    one.disable(1);
    a.keyring("tenant-two");
    byte[] sealedOne = (byte[]) column("tenant-one", "record");
    String text = new String(sealedOne, StandardCharsets.ISO_8859_1);
    assertFalse(text.contains("tenant-one"), "the record is sealed, not just stored");
    assertFalse(text.contains("local"), "not even the provider id is readable");

    JdbcKeyringStore store = new JdbcKeyringStore(poolB, master);
    long revisionOne = (Long) column("tenant-one", "revision");
    // moved: tenant-one's sealed record written into tenant-two's row (revision adjusted to match)
    byte[] sealedTwo = (byte[]) column("tenant-two", "record");
    long revisionTwo = (Long) column("tenant-two", "revision");
    setRow("tenant-two", revisionOne, sealedOne);
    assertThrows(KeyringIntegrityException.class, () -> store.load("tenant-two"));
    setRow("tenant-two", revisionTwo, sealedTwo);
    assertEquals("tenant-two", store.load("tenant-two").orElseThrow().keyringId());
    // rolled back to an older state under a newer revision number
    setRow("tenant-one", revisionOne + 1, sealedOne);
    assertThrows(KeyringIntegrityException.class, () -> store.load("tenant-one"));
    // one flipped byte
    byte[] flipped = sealedOne.clone();
    flipped[flipped.length / 2] ^= 1;
    setRow("tenant-one", revisionOne, flipped);
    assertThrows(KeyringIntegrityException.class, () -> store.load("tenant-one"));
    // the shredded flag in the clear disagreeing with the sealed record
    setRow("tenant-one", revisionOne, sealedOne);
    try (Connection c = poolA.getConnection();
        PreparedStatement p = c.prepareStatement("UPDATE bulwark_crypto_keyring SET shredded = TRUE WHERE keyring_id = ?")) {
      p.setString(1, "tenant-one");
      p.executeUpdate();
    }
    assertThrows(KeyringIntegrityException.class, () -> store.load("tenant-one"));
    // another master key
    assertThrows(KeyringIntegrityException.class,
        () -> new JdbcKeyringStore(poolB, KekProviders.masterKey(new byte[32])).load("tenant-two"));
  }

  private Object column(String keyringId, String column) throws Exception {
    try (Connection c = poolA.getConnection();
        PreparedStatement p = c.prepareStatement("SELECT revision, shredded, record FROM bulwark_crypto_keyring WHERE keyring_id = ?")) {
      p.setString(1, keyringId);
      try (ResultSet rs = p.executeQuery()) {
        assertTrue(rs.next());
        return rs.getObject(column);
      }
    }
  }

  private void setRow(String keyringId, long revision, byte[] record) throws Exception {
    try (Connection c = poolA.getConnection();
        PreparedStatement p = c.prepareStatement("UPDATE bulwark_crypto_keyring SET revision = ?, record = ? WHERE keyring_id = ?")) {
      p.setLong(1, revision);
      p.setBytes(2, record);
      p.setString(3, keyringId);
      assertEquals(1, p.executeUpdate());
    }
  }
}
