package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.crypto.spi.KeyringRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyringTest {
  private static final EncryptionContext CTX = EncryptionContext.of("tenant", "acme");
  private static final byte[] MSG = "hello".getBytes(StandardCharsets.UTF_8);

  @Test
  void rotate_makesNewPrimary_oldVersionStillDecrypts() throws Exception {
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    byte[] v1 = env.encrypt(MSG, CTX);
    Keyring k = f.keyrings.keyring("default");
    KeyVersion v2 = k.rotate();
    assertEquals(2, v2.version());
    assertEquals(2, k.primaryVersion());
    assertEquals(List.of(KeyState.DECRYPT_ONLY, KeyState.PRIMARY), k.versions().stream().map(KeyVersion::state).toList());
    byte[] after = env.encrypt(MSG, CTX);
    assertEquals(2, Envelope.inspect(after).kekVersion());
    assertArrayEquals(MSG, env.decrypt(v1, CTX));
    assertArrayEquals(MSG, env.decrypt(after, CTX));
  }

  @Test
  void rotatesAutomatically_byAge() throws Exception {
    Fixture f = new Fixture(new RotationPolicy(Duration.ofDays(30), 1L << 30));
    Envelope env = f.envelope();
    assertEquals(1, Envelope.inspect(env.encrypt(MSG, CTX)).kekVersion());
    f.advance(Duration.ofDays(29));
    assertEquals(1, Envelope.inspect(env.encrypt(MSG, CTX)).kekVersion());
    f.advance(Duration.ofDays(1));
    assertEquals(2, Envelope.inspect(env.encrypt(MSG, CTX)).kekVersion());
    assertEquals(f.now.get(), f.keyrings.keyring("default").versions().get(1).createdAt());
  }

  @Test
  void rotatesAutomatically_byCount_neverExceedingTheBudget() throws Exception {
    Fixture f = new Fixture(new RotationPolicy(Duration.ofDays(365), 3));
    Envelope env = f.envelope();
    int[] perVersion = new int[10];
    for (int i = 0; i < 10; i++) {
      perVersion[Envelope.inspect(env.encrypt(MSG, CTX)).kekVersion()]++;
    }
    assertArrayEquals(new int[] {0, 3, 3, 3, 1, 0, 0, 0, 0, 0}, perVersion);
    for (KeyVersion v : f.keyrings.keyring("default").versions()) {
      assertTrue(v.encryptionsReserved() <= 3);
    }
  }

  @Test
  void minDecryptableVersion_blocksOlderVersions_reversibly() throws Exception {
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    byte[] old = env.encrypt(MSG, CTX);
    Keyring k = f.keyrings.keyring("default");
    k.rotate();
    k.setMinDecryptableVersion(2);
    KeyUnavailableException e = assertThrows(KeyUnavailableException.class, () -> env.decrypt(old, CTX));
    assertTrue(e.getMessage().contains("minimum decryptable version"), e.getMessage());
    k.setMinDecryptableVersion(1);
    assertArrayEquals(MSG, env.decrypt(old, CTX));
    assertThrows(IllegalArgumentException.class, () -> k.setMinDecryptableVersion(3));
  }

  @Test
  void disable_enable_destroy() throws Exception {
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    byte[] old = env.encrypt(MSG, CTX);
    Keyring k = f.keyrings.keyring("default");
    assertThrows(IllegalStateException.class, () -> k.destroy(1));
    k.rotate();
    k.disable(1);
    assertThrows(KeyUnavailableException.class, () -> env.decrypt(old, CTX));
    k.enable(1);
    assertArrayEquals(MSG, env.decrypt(old, CTX));
    k.destroy(1);
    assertEquals(KeyState.DESTROYED, k.versions().get(0).state());
    assertTrue(k.versions().get(0).kekRef().isEmpty());
    assertThrows(KeyUnavailableException.class, () -> env.decrypt(old, CTX));
    assertThrows(IllegalStateException.class, () -> k.enable(1));
    assertEquals(1, f.provider.destroys.get());
  }

  @Test
  void shred_destroysEveryVersion_leavesTombstone_andReturnsReceipt() throws Exception {
    Fixture f = new Fixture();
    Envelope acme = f.envelope().forKeyring("tenant-acme");
    Envelope other = f.envelope().forKeyring("tenant-other");
    byte[] a1 = acme.encrypt(MSG, CTX);
    f.keyrings.keyring("tenant-acme").rotate();
    byte[] a2 = acme.encrypt(MSG, CTX);
    byte[] o = other.encrypt(MSG, CTX);
    f.advance(Duration.ofHours(1));
    ShredReceipt r = f.keyrings.shred("tenant-acme");
    assertEquals(new ShredReceipt("tenant-acme", List.of(1, 2), f.now.get()), r);
    assertThrows(ScopeShreddedException.class, () -> acme.decrypt(a1, CTX));
    assertThrows(ScopeShreddedException.class, () -> acme.decrypt(a2, CTX));
    assertThrows(ScopeShreddedException.class, () -> acme.encrypt(MSG, CTX));
    assertThrows(ScopeShreddedException.class, () -> f.keyrings.keyring("tenant-acme"));
    assertArrayEquals(MSG, other.decrypt(o, CTX));
    f.advance(Duration.ofHours(1));
    assertEquals(r, f.keyrings.shred("tenant-acme"));
    KeyringRecord rec = f.store.load("tenant-acme").orElseThrow();
    assertTrue(rec.versions().stream().allMatch(v -> v.state() == KeyState.DESTROYED && v.kekRef().isEmpty()));
  }

  @Test
  void shred_ofUnknownScope_writesTombstone() throws Exception {
    Fixture f = new Fixture();
    ShredReceipt r = f.keyrings.shred("subject-42");
    assertEquals(List.of(), r.versionsDestroyed());
    assertThrows(ScopeShreddedException.class, () -> f.envelope().forKeyring("subject-42").encrypt(MSG, CTX));
  }

  @Test
  void twoProcessesSharingAStore_seeEachOthersRotation() throws Exception {
    Fixture f = new Fixture();
    Keyrings node2 = Keyrings.builder(f.store, f.provider).clock(f.now::get).refreshInterval(Duration.ZERO).build();
    Envelope e1 = f.envelope();
    Envelope e2 = Envelope.builder(node2).build();
    byte[] c1 = e1.encrypt(MSG, CTX);
    node2.keyring("default").rotate();
    byte[] c2 = e2.encrypt(MSG, CTX);
    assertEquals(2, Envelope.inspect(c2).kekVersion());
    assertArrayEquals(MSG, e1.decrypt(c2, CTX));
    assertArrayEquals(MSG, e2.decrypt(c1, CTX));
    assertEquals(2, Envelope.inspect(e1.encrypt(MSG, CTX)).kekVersion());
  }
  /*
   * The three tests below use a clock that does not move, as a fixed clock does and as two calls
   * within one tick of a coarse clock do: a zero refresh interval must still mean "re-read the store
   * on every call", not "re-read once the clock has moved past the last load".
   */

  @Test
  void withZeroRefreshInterval_aNodeEncryptsUnderAnotherNodesRotation_atOnce() throws Exception {
    Fixture f = new Fixture();
    Keyrings node2 = Keyrings.builder(f.store, f.provider).clock(f.now::get).refreshInterval(Duration.ZERO).build();
    Envelope e1 = f.envelope();
    assertEquals(1, Envelope.inspect(e1.encrypt(MSG, CTX)).kekVersion());
    node2.keyring("default").rotate();
    // node 1 still holds most of the block of encryptions it reserved under version 1
    assertEquals(2, Envelope.inspect(e1.encrypt(MSG, CTX)).kekVersion());
    assertEquals(2, f.keyrings.keyring("default").primaryVersion());
  }

  @Test
  void withZeroRefreshInterval_aNodesVersionsInclude_anotherNodesReservations() throws Exception {
    RotationPolicy policy = new RotationPolicy(Duration.ofDays(365), 50);
    Fixture f = new Fixture(policy);
    Keyrings node2 = Keyrings.builder(f.store, f.provider).clock(f.now::get).rotationPolicy(policy)
        .refreshInterval(Duration.ZERO).build();
    Envelope e1 = f.envelope();
    Envelope e2 = Envelope.builder(node2).build();
    e1.encrypt(MSG, CTX);
    e2.encrypt(MSG, CTX);
    e2.encrypt(MSG, CTX);
    // a budget of 50 reserves one encryption at a time, so the stored count is exact
    assertEquals(3, f.store.load("default").orElseThrow().versions().get(0).encryptionsReserved());
    assertEquals(3, f.keyrings.keyring("default").versions().get(0).encryptionsReserved());
    assertEquals(3, node2.keyring("default").versions().get(0).encryptionsReserved());
  }

  @Test
  void withZeroRefreshInterval_aNodeStopsDecrypting_onceAnotherNodeShreds() throws Exception {
    Fixture f = new Fixture();
    Keyrings node2 = Keyrings.builder(f.store, f.provider).clock(f.now::get).refreshInterval(Duration.ZERO).build();
    Envelope e1 = f.envelope();
    byte[] ct = e1.encrypt(MSG, CTX);
    assertArrayEquals(MSG, e1.decrypt(ct, CTX)); // now in node 1's decryption cache
    node2.shred("default");
    assertThrows(ScopeShreddedException.class, () -> e1.decrypt(ct, CTX));
    assertThrows(ScopeShreddedException.class, () -> e1.encrypt(MSG, CTX));
  }

  @Test
  void aNodeTrustsItsCopyForTheRefreshInterval_thenRereadsTheStore() throws Exception {
    Fixture f = new Fixture();
    Keyrings cached = Keyrings.builder(f.store, f.provider).clock(f.now::get).refreshInterval(Duration.ofSeconds(30))
        .build();
    Envelope e1 = Envelope.builder(cached).build();
    assertEquals(1, Envelope.inspect(e1.encrypt(MSG, CTX)).kekVersion());
    f.keyrings.keyring("default").rotate();
    f.advance(Duration.ofSeconds(29));
    assertEquals(1, Envelope.inspect(e1.encrypt(MSG, CTX)).kekVersion());
    f.advance(Duration.ofSeconds(1));
    assertEquals(2, Envelope.inspect(e1.encrypt(MSG, CTX)).kekVersion());
  }
}
