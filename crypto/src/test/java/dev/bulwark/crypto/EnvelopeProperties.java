package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.testing.Gen;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvelopeProperties {

  static Gen<EncryptionContext> contexts() {
    return Generators.maps(Generators.text(1, 12), Generators.text(0, 20), 5).map(EncryptionContext::of);
  }

  /** Operations interleaved with encryptions: 0 encrypt, 1 rotate, 2 advance clock a day. */
  @Test
  void roundTrip_forAnyPlaintextContextAndRotationHistory() {
    PropertyRunner.forAll(60, c -> {
      List<byte[]> plaintexts = c.draw("plaintexts", Generators.lists(Generators.bytes(0, 300), 0, 3));
      EncryptionContext context = c.draw("context", contexts());
      List<Integer> history = c.draw("history", Generators.lists(Generators.ints(0, 2), 0, 8));
      boolean cache = c.draw("cache", Generators.booleans());
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
    });
  }

  @Test
  void anySingleByteChange_failsDecryption() {
    PropertyRunner.forAll(40, c -> {
      byte[] plaintext = c.draw("plaintext", Generators.bytes(0, 64));
      EncryptionContext context = c.draw("context", contexts());
      int delta = c.draw("delta", Generators.ints(1, 255));
      boolean cache = c.draw("cache", Generators.booleans());
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
    });
  }

  @Test
  void anySingleByteChange_failsStreamingDecryption() {
    PropertyRunner.forAll(30, c -> {
      byte[] plaintext = c.draw("plaintext", Generators.bytes(0, 300));
      int where = c.draw("where", Generators.ints(0, 10_000));
      int delta = c.draw("delta", Generators.ints(1, 255));
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
    });
  }

  /** However the plaintext is split into writes, the stream has the same segments and round-trips. */
  @Test
  void streaming_roundTrips_forAnySplitIntoWrites() {
    PropertyRunner.forAll(60, c -> {
      byte[] plaintext = c.draw("plaintext", Generators.bytes(0, 700));
      List<Integer> writeSizes = c.draw("writeSizes", Generators.lists(Generators.ints(0, 300), 1, 12));
      int segmentSize = c.draw("segmentSize", Generators.ints(64, 130));
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
    });
  }

  @Test
  void rewrap_preservesPlaintext_acrossRotations() {
    PropertyRunner.forAll(40, c -> {
      byte[] plaintext = c.draw("plaintext", Generators.bytes(0, 200));
      EncryptionContext context = c.draw("context", contexts());
      int rotations = c.draw("rotations", Generators.ints(1, 4));
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
    });
  }

  @Test
  void shreddedScope_neverDecryptsAgain() {
    PropertyRunner.forAll(30, c -> {
      byte[] plaintext = c.draw("plaintext", Generators.bytes(0, 100));
      int rotationsBefore = c.draw("rotationsBefore", Generators.ints(0, 3));
      boolean cache = c.draw("cache", Generators.booleans());
      int attemptsToRecreate = c.draw("attemptsToRecreate", Generators.ints(0, 3));
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
    });
  }

  @Test
  void contextCanonicalEncoding_isInjective() {
    PropertyRunner.forAll(50, c -> {
      EncryptionContext a = c.draw("a", contexts());
      EncryptionContext b = c.draw("b", contexts());
      boolean same = java.util.Arrays.equals(a.canonicalBytes(), b.canonicalBytes());
      org.junit.jupiter.api.Assertions.assertEquals(a.equals(b), same);
      org.junit.jupiter.api.Assertions.assertEquals(Map.copyOf(a.entries()).equals(Map.copyOf(b.entries())), same);
    });
  }
}
