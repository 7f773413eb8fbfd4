package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataKeyCacheTest {
  private static final EncryptionContext CTX = EncryptionContext.of("t", "1");

  private static String wrappedOf(byte[] ct) throws Exception {
    return Arrays.toString(dev.bulwark.crypto.internal.Header.parse(ct).wrappedDek());
  }

  @Test
  void noCache_wrapsAndUnwrapsPerMessage() throws Exception {
    Fixture f = new Fixture();
    Envelope env = Envelope.builder(f.keyrings).dataKeyCache(DataKeyCachePolicy.NONE).build();
    for (int i = 0; i < 5; i++) {
      env.decrypt(env.encrypt(new byte[10], CTX), CTX);
    }
    assertEquals(5, f.provider.wraps.get());
    assertEquals(5, f.provider.unwraps.get());
  }

  @Test
  void defaultEnvelope_reusesOneDataKey_withinTheDefaultLimits() throws Exception {
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    List<byte[]> cts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      cts.add(env.encrypt(new byte[10], CTX));
    }
    for (byte[] ct : cts) {
      assertArrayEquals(new byte[10], env.decrypt(ct, CTX));
    }
    assertEquals(1, f.provider.wraps.get());
    assertEquals(1, f.provider.unwraps.get());
    assertEquals(new DataKeyCachePolicy(65_536, 1L << 32, Duration.ofMinutes(5)), DataKeyCachePolicy.DEFAULT);
    f.advance(Duration.ofMinutes(5));
    env.encrypt(new byte[10], CTX);
    assertEquals(2, f.provider.wraps.get());
  }

  @Test
  void aMessageLargerThanTheByteLimit_getsItsOwnDataKey_andLeavesTheCachedOneInPlace() throws Exception {
    Fixture f = new Fixture();
    Envelope env = Envelope.builder(f.keyrings)
        .dataKeyCache(new DataKeyCachePolicy(1000, 100, Duration.ofMinutes(5))).build();
    byte[] a = env.encrypt(new byte[10], CTX);
    byte[] big = env.encrypt(new byte[101], CTX);
    byte[] b = env.encrypt(new byte[10], CTX);
    assertEquals(2, f.provider.wraps.get());
    assertEquals(wrappedOf(a), wrappedOf(b));
    assertFalse(wrappedOf(a).equals(wrappedOf(big)));
    assertArrayEquals(new byte[101], env.decrypt(big, CTX));
  }

  @Test
  void envelopesWithDifferentPolicies_onOneKeyring_eachKeepTheirOwnLimits() throws Exception {
    Fixture f = new Fixture();
    Envelope lenient = Envelope.builder(f.keyrings)
        .dataKeyCache(new DataKeyCachePolicy(1000, 1 << 20, Duration.ofMinutes(10))).build();
    Envelope strict = Envelope.builder(f.keyrings)
        .dataKeyCache(new DataKeyCachePolicy(3, 1 << 20, Duration.ofMinutes(1))).build();
    byte[] a = lenient.encrypt(new byte[1], CTX);
    f.advance(Duration.ofMinutes(2));
    byte[] b = strict.encrypt(new byte[1], CTX);
    assertFalse(wrappedOf(a).equals(wrappedOf(b)), "a DEK older than the strict envelope's maxAge");
    byte[] c = lenient.encrypt(new byte[1], CTX);
    byte[] d = lenient.encrypt(new byte[1], CTX);
    assertEquals(wrappedOf(b), wrappedOf(c));
    assertEquals(wrappedOf(b), wrappedOf(d));
    byte[] e = strict.encrypt(new byte[1], CTX);
    assertFalse(wrappedOf(b).equals(wrappedOf(e)), "a DEK that served 3 messages under a 3-message limit");
    for (byte[] ct : List.of(a, b, c, d, e)) {
      assertArrayEquals(new byte[1], strict.decrypt(ct, CTX));
    }
  }

  @Test
  void streams_neverShareADataKey() throws Exception {
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    Set<String> deks = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
      try (java.io.OutputStream out = env.newEncryptingStream(sink, CTX)) {
        out.write(new byte[100]);
      }
      deks.add(wrappedOf(sink.toByteArray()));
    }
    env.encrypt(new byte[1], CTX);
    assertEquals(3, deks.size());
    assertEquals(4, f.provider.wraps.get());
  }

  @Test
  void messageLimit_boundsReuse_andEveryMessageHasItsOwnNonce() throws Exception {
    Fixture f = new Fixture();
    Envelope env = Envelope.builder(f.keyrings)
        .dataKeyCache(new DataKeyCachePolicy(4, DataKeyCachePolicy.MAX_BYTES, Duration.ofMinutes(5))).build();
    List<byte[]> cts = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      cts.add(env.encrypt(new byte[10], CTX));
    }
    assertEquals(3, f.provider.wraps.get());
    Set<String> deks = new HashSet<>();
    Set<String> nonces = new HashSet<>();
    for (byte[] ct : cts) {
      deks.add(wrappedOf(ct));
      nonces.add(Arrays.toString(dev.bulwark.crypto.internal.Header.parse(ct).nonce()));
      assertArrayEquals(new byte[10], env.decrypt(ct, CTX));
    }
    assertEquals(3, deks.size());
    assertEquals(10, nonces.size());
    assertEquals(3, f.provider.unwraps.get());
  }

  @Test
  void byteAndAgeLimits_forceNewDataKeys() throws Exception {
    Fixture f = new Fixture();
    Envelope env = Envelope.builder(f.keyrings)
        .dataKeyCache(new DataKeyCachePolicy(1000, 100, Duration.ofMinutes(5))).build();
    env.encrypt(new byte[60], CTX);
    env.encrypt(new byte[40], CTX);
    assertEquals(1, f.provider.wraps.get());
    env.encrypt(new byte[1], CTX);
    assertEquals(2, f.provider.wraps.get());
    f.advance(Duration.ofMinutes(5));
    env.encrypt(new byte[1], CTX);
    assertEquals(3, f.provider.wraps.get());
  }

  @Test
  void cachedKeys_doNotOutliveRotationOrDestruction() throws Exception {
    Fixture f = new Fixture();
    Envelope env = Envelope.builder(f.keyrings)
        .dataKeyCache(new DataKeyCachePolicy(1000, DataKeyCachePolicy.MAX_BYTES, Duration.ofMinutes(5))).build();
    byte[] a = env.encrypt(new byte[3], CTX);
    env.decrypt(a, CTX);
    Keyring k = f.keyrings.keyring("default");
    k.rotate();
    byte[] b = env.encrypt(new byte[3], CTX);
    assertFalse(wrappedOf(a).equals(wrappedOf(b)));
    k.destroy(1);
    assertThrows(KeyUnavailableException.class, () -> env.decrypt(a, CTX));
    f.keyrings.shred("default");
    assertThrows(ScopeShreddedException.class, () -> env.decrypt(b, CTX));
  }

  @Test
  void policy_validatesLimits_andCapsMessagesAt2To24_andBytesAt2To38() {
    assertThrows(IllegalArgumentException.class, () -> new DataKeyCachePolicy(0, 1, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new DataKeyCachePolicy((1L << 24) + 1, 1, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new DataKeyCachePolicy(1L << 32, 1, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new DataKeyCachePolicy(2, 0, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new DataKeyCachePolicy(2, (1L << 38) + 1, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new DataKeyCachePolicy(2, Long.MAX_VALUE, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new DataKeyCachePolicy(2, 1, Duration.ZERO));
    DataKeyCachePolicy max = new DataKeyCachePolicy(1L << 24, 1L << 38, Duration.ofDays(1));
    assertEquals(DataKeyCachePolicy.MAX_MESSAGES, max.maxMessages());
    assertEquals(DataKeyCachePolicy.MAX_BYTES, max.maxBytes());
    assertFalse(DataKeyCachePolicy.NONE.enabled());
  }

  @Test
  void decryptionCache_isFilledOnlyAfterTheCommitmentMatched() throws Exception {
    Fixture f = new Fixture();
    Envelope writer = f.envelope();
    byte[] a = writer.encrypt(new byte[10], CTX);
    byte[] b = writer.encrypt(new byte[20], CTX);
    assertEquals(wrappedOf(a), wrappedOf(b));
    // another process: its decryption cache starts empty
    Envelope reader = Envelope.builder(Keyrings.builder(f.store, f.provider).clock(f.now::get).build()).build();
    byte[] forged = a.clone();
    forged[Envelope.inspect(a).headerLength() - 1] ^= 1; // the commitment
    assertThrows(DecryptionFailedException.class, () -> reader.decrypt(forged, CTX));
    assertThrows(DecryptionFailedException.class, () -> reader.decrypt(forged, CTX));
    assertEquals(2, f.provider.unwraps.get(), "a DEK whose commitment failed was not cached");
    assertArrayEquals(new byte[10], reader.decrypt(a, CTX));
    assertArrayEquals(new byte[20], reader.decrypt(b, CTX));
    assertEquals(3, f.provider.unwraps.get(), "a DEK whose commitment matched was cached");
    // a cached DEK is still checked against every header's commitment
    assertThrows(DecryptionFailedException.class, () -> reader.decrypt(forged, CTX));
    assertArrayEquals(new byte[10], reader.decrypt(a, CTX));
  }

  @Test
  void decryptionCache_servesAtMostMaxMessagesDecryptionsPerEntry_andNoneAfterMaxAge() throws Exception {
    Fixture f = new Fixture();
    DataKeyCachePolicy policy = new DataKeyCachePolicy(3, 1 << 20, Duration.ofMinutes(5));
    Envelope writer = Envelope.builder(f.keyrings).dataKeyCache(policy).build();
    byte[] ct = writer.encrypt(new byte[5], CTX);
    Envelope reader = Envelope.builder(Keyrings.builder(f.store, f.provider).clock(f.now::get).build())
        .dataKeyCache(policy).build();
    for (int i = 0; i < 7; i++) {
      assertArrayEquals(new byte[5], reader.decrypt(ct, CTX));
    }
    assertEquals(3, f.provider.unwraps.get(), "7 decryptions with 3 per cache entry: 3 unwraps");
    f.advance(Duration.ofMinutes(5));
    assertArrayEquals(new byte[5], reader.decrypt(ct, CTX));
    assertEquals(4, f.provider.unwraps.get(), "an entry as old as maxAge is not used");
    Envelope uncached = Envelope.builder(f.keyrings).dataKeyCache(DataKeyCachePolicy.NONE).build();
    uncached.decrypt(ct, CTX);
    uncached.decrypt(ct, CTX);
    assertEquals(6, f.provider.unwraps.get());
  }

  @Test
  void decryptionCache_isDroppedOnDisableAndShred() throws Exception {
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    byte[] ct = env.encrypt(new byte[5], CTX);
    env.decrypt(ct, CTX);
    Keyring k = f.keyrings.keyring("default");
    k.rotate();
    assertArrayEquals(new byte[5], env.decrypt(ct, CTX), "rotation leaves the old version decryptable");
    k.disable(1);
    assertThrows(KeyUnavailableException.class, () -> env.decrypt(ct, CTX));
    k.enable(1);
    int before = f.provider.unwraps.get();
    assertArrayEquals(new byte[5], env.decrypt(ct, CTX));
    assertEquals(before + 1, f.provider.unwraps.get(), "disable dropped the cached DEK");
    f.keyrings.shred("default");
    assertThrows(ScopeShreddedException.class, () -> env.decrypt(ct, CTX));
  }
}
