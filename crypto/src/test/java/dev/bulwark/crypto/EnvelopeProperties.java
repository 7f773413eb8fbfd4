package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class EnvelopeProperties {

  @Provide
  Arbitrary<EncryptionContext> contexts() {
    return Arbitraries.maps(
            Arbitraries.strings().ofMinLength(1).ofMaxLength(12),
            Arbitraries.strings().ofMaxLength(20))
        .ofMaxSize(5)
        .map(EncryptionContext::of);
  }

  /** Operations interleaved with encryptions: 0 encrypt, 1 rotate, 2 advance clock a day. */
  @Property(tries = 60)
  void roundTrip_forAnyPlaintextContextAndRotationHistory(
      @ForAll @Size(max = 3) List<@Size(max = 300) byte[]> plaintexts,
      @ForAll("contexts") EncryptionContext context,
      @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 2) Integer> history,
      @ForAll boolean cache) throws Exception {
    Fixture f = new Fixture(new RotationPolicy(java.time.Duration.ofDays(3), 4));
    Envelope env = Envelope.builder(f.keyrings)
        .dataKeyCache(cache ? new DataKeyCachePolicy(3, 1000, java.time.Duration.ofDays(2)) : DataKeyCachePolicy.NONE)
        .build();
    List<byte[]> cts = new ArrayList<>();
    List<byte[]> pts = new ArrayList<>();
    for (int step : history) {
      if (step == 1) {
        f.keyrings.keyring("default").rotate();
      } else if (step == 2) {
        f.advance(java.time.Duration.ofDays(1));
      }
      for (byte[] pt : plaintexts) {
        cts.add(env.encrypt(pt, context));
        pts.add(pt);
      }
    }
    for (int i = 0; i < cts.size(); i++) {
      assertArrayEquals(pts.get(i), env.decrypt(cts.get(i), context));
      assertArrayEquals(pts.get(i), env.decrypt(env.rewrap(cts.get(i)), context));
    }
  }

  @Property(tries = 40)
  void anySingleByteChange_failsDecryption(
      @ForAll @Size(max = 64) byte[] plaintext,
      @ForAll("contexts") EncryptionContext context,
      @ForAll @IntRange(min = 1, max = 255) int delta,
      @ForAll boolean cache) throws Exception {
    Fixture f = new Fixture();
    Envelope env = cache ? f.envelope() : Envelope.builder(f.keyrings).dataKeyCache(DataKeyCachePolicy.NONE).build();
    byte[] ct = env.encrypt(plaintext, context);
    // with caching, the data key is now in the decryption cache: every changed copy meets it there
    assertArrayEquals(plaintext, env.decrypt(ct, context));
    for (int i = 0; i < ct.length; i++) {
      byte[] changed = ct.clone();
      changed[i] = (byte) (changed[i] + delta);
      assertThrows(GeneralSecurityException.class, () -> env.decrypt(changed, context), "byte " + i);
    }
  }

  @Property(tries = 30)
  void anySingleByteChange_failsStreamingDecryption(
      @ForAll @Size(max = 300) byte[] plaintext,
      @ForAll @IntRange(min = 0, max = 10_000) int where,
      @ForAll @IntRange(min = 1, max = 255) int delta) throws Exception {
    Envelope env = Envelope.builder(new Fixture().keyrings).segmentSize(64).build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream s = env.newEncryptingStream(out, EncryptionContext.empty())) {
      s.write(plaintext);
    }
    byte[] ct = out.toByteArray();
    byte[] changed = ct.clone();
    int i = where % ct.length;
    changed[i] = (byte) (changed[i] + delta);
    assertThrows(Exception.class, () -> {
      try (InputStream in = env.newDecryptingStream(new ByteArrayInputStream(changed), EncryptionContext.empty())) {
        in.readAllBytes();
      }
    });
  }

  /** However the plaintext is split into writes, the stream has the same segments and round-trips. */
  @Property(tries = 60)
  void streaming_roundTrips_forAnySplitIntoWrites(
      @ForAll @Size(max = 700) byte[] plaintext,
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 300) Integer> writeSizes,
      @ForAll @IntRange(min = 64, max = 130) int segmentSize) throws Exception {
    Envelope env = Envelope.builder(new Fixture().keyrings).segmentSize(segmentSize).build();
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    try (OutputStream s = env.newEncryptingStream(whole, EncryptionContext.empty())) {
      s.write(plaintext);
    }
    ByteArrayOutputStream pieces = new ByteArrayOutputStream();
    try (OutputStream s = env.newEncryptingStream(pieces, EncryptionContext.empty())) {
      int off = 0;
      for (int w = 0; off < plaintext.length; w++) {
        int n = Math.min(writeSizes.get(w % writeSizes.size()), plaintext.length - off);
        if (n == 1) {
          s.write(plaintext[off]);
        } else {
          s.write(plaintext, off, n);
        }
        off += n;
        if (n == 0 && writeSizes.stream().allMatch(x -> x == 0)) {
          s.write(plaintext, off, plaintext.length - off);
          off = plaintext.length;
        }
      }
    }
    org.junit.jupiter.api.Assertions.assertEquals(whole.size(), pieces.size());
    for (ByteArrayOutputStream ct : List.of(whole, pieces)) {
      try (InputStream in = env.newDecryptingStream(new ByteArrayInputStream(ct.toByteArray()), EncryptionContext.empty())) {
        assertArrayEquals(plaintext, in.readAllBytes());
      }
    }
  }

  @Property(tries = 40)
  void rewrap_preservesPlaintext_acrossRotations(
      @ForAll @Size(max = 200) byte[] plaintext,
      @ForAll("contexts") EncryptionContext context,
      @ForAll @IntRange(min = 1, max = 4) int rotations) throws Exception {
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    byte[] ct = env.encrypt(plaintext, context);
    for (int r = 0; r < rotations; r++) {
      f.keyrings.keyring("default").rotate();
      ct = env.rewrap(ct);
    }
    Keyring k = f.keyrings.keyring("default");
    for (int v = 1; v <= rotations; v++) {
      k.destroy(v);
    }
    assertArrayEquals(plaintext, env.decrypt(ct, context));
  }

  @Property(tries = 30)
  void shreddedScope_neverDecryptsAgain(
      @ForAll @Size(max = 100) byte[] plaintext,
      @ForAll @IntRange(min = 0, max = 3) int rotationsBefore,
      @ForAll boolean cache,
      @ForAll @IntRange(min = 0, max = 3) int attemptsToRecreate) throws Exception {
    Fixture f = new Fixture();
    Envelope env = Envelope.builder(f.keyrings).keyringId("subject-1")
        .dataKeyCache(cache ? new DataKeyCachePolicy(100, 1 << 20, java.time.Duration.ofHours(1)) : DataKeyCachePolicy.NONE)
        .build();
    List<byte[]> cts = new ArrayList<>();
    cts.add(env.encrypt(plaintext, EncryptionContext.empty()));
    for (int r = 0; r < rotationsBefore; r++) {
      f.keyrings.keyring("subject-1").rotate();
      cts.add(env.encrypt(plaintext, EncryptionContext.empty()));
    }
    for (byte[] ct : cts) {
      env.decrypt(ct, EncryptionContext.empty());
    }
    f.keyrings.shred("subject-1");
    for (int a = 0; a < attemptsToRecreate; a++) {
      assertThrows(ScopeShreddedException.class, () -> env.encrypt(plaintext, EncryptionContext.empty()));
      assertThrows(ScopeShreddedException.class, () -> f.keyrings.keyring("subject-1").rotate());
    }
    Keyrings fresh = Keyrings.builder(f.store, f.provider).build();
    for (byte[] ct : cts) {
      assertThrows(ScopeShreddedException.class, () -> env.decrypt(ct, EncryptionContext.empty()));
      assertThrows(ScopeShreddedException.class, () -> Envelope.builder(fresh).build().decrypt(ct, EncryptionContext.empty()));
      assertThrows(GeneralSecurityException.class, () -> env.rewrap(ct));
    }
  }

  @Property(tries = 50)
  void contextCanonicalEncoding_isInjective(
      @ForAll("contexts") EncryptionContext a, @ForAll("contexts") EncryptionContext b) {
    boolean same = java.util.Arrays.equals(a.canonicalBytes(), b.canonicalBytes());
    org.junit.jupiter.api.Assertions.assertEquals(a.equals(b), same);
    org.junit.jupiter.api.Assertions.assertEquals(Map.copyOf(a.entries()).equals(Map.copyOf(b.entries())), same);
  }
}
