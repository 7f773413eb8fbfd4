package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.crypto.tink.Aead;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Ciphertexts in every format Bulwark ever wrote keep decrypting and rewrapping.
 * {@code src/test/resources/vectors/envelope-v<format>} holds a keyring file and ciphertexts that
 * Bulwark wrote in that format (format 1 at commit f239fee; the others with
 * {@link KnownAnswerWriter}), under the master key 00 01 .. 1f: keyring {@code tenant-acme}, KEK
 * versions 1 and 2, fresh and cached data keys, an empty context, and a stream in 64-byte segments
 * (streams are written in format 2 from format 2 on, so {@code envelope-v3} holds a format 2 stream).
 */
class FormatVectorsTest {
  private static final EncryptionContext CTX = EncryptionContext.of("tenant", "acme", "table", "notes");

  private static byte[] resource(int format, String name) throws Exception {
    try (InputStream in = FormatVectorsTest.class.getResourceAsStream("/vectors/envelope-v" + format + "/" + name)) {
      return in.readAllBytes();
    }
  }

  private static Keyrings keyrings(Path dir, int format, String writtenAt) throws Exception {
    Path file = dir.resolve("keyring.bin");
    Files.write(file, resource(format, "keyring.bin"));
    Aead master = KekProviders.masterKey(HexFormat.of().parseHex(
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
    return Keyrings.builder(KeyringStores.encryptedFile(file, master), KekProviders.local(master))
        .clock(Clock.fixed(Instant.parse(writtenAt), ZoneOffset.UTC)).build();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "format {0}")
  @CsvSource({"1, 2026-11-02T00:00:00Z", "2, 2026-11-26T00:00:00Z", "3, 2026-11-26T12:00:00Z"})
  void oldCiphertexts_decrypt_withAndWithoutCaching(int format, String writtenAt, @TempDir Path dir)
      throws Exception {
    Keyrings keyrings = keyrings(dir, format, writtenAt);
    String f = "format " + format;
    for (Envelope env : new Envelope[] {
        Envelope.builder(keyrings).build(),
        Envelope.builder(keyrings).dataKeyCache(DataKeyCachePolicy.NONE).build()}) {
      assertEquals(format, resource(format, "one-shot-fresh.bin")[0]);
      assertArrayEquals(utf8(f + ", one-shot, fresh data key"), env.decrypt(resource(format, "one-shot-fresh.bin"), CTX));
      assertArrayEquals(utf8(f + ", one-shot, cached data key, a"),
          env.decrypt(resource(format, "one-shot-cached-a.bin"), CTX));
      assertArrayEquals(utf8(f + ", one-shot, cached data key, b"),
          env.decrypt(resource(format, "one-shot-cached-b.bin"), CTX));
      assertArrayEquals(new byte[0], env.decrypt(resource(format, "one-shot-empty-context.bin"), EncryptionContext.empty()));
      assertArrayEquals(utf8(f + ", under KEK version 2"), env.decrypt(resource(format, "one-shot-v2-kek.bin"), CTX));
      assertEquals(2, Envelope.inspect(resource(format, "one-shot-v2-kek.bin")).kekVersion());
      byte[] expected = new byte[200];
      for (int i = 0; i < expected.length; i++) {
        expected[i] = (byte) i;
      }
      try (InputStream in = env.newDecryptingStream(new ByteArrayInputStream(resource(format, "streaming-64.bin")), CTX)) {
        assertArrayEquals(expected, in.readAllBytes());
      }
      assertThrows(DecryptionFailedException.class,
          () -> env.decrypt(resource(format, "one-shot-fresh.bin"), EncryptionContext.of("tenant", "acme")));
    }
  }

  @ParameterizedTest(name = "format {0}")
  @CsvSource({"1, 2026-11-02T00:00:00Z", "2, 2026-11-26T00:00:00Z", "3, 2026-11-26T12:00:00Z"})
  void oldCiphertexts_rewrapInTheirFormat_andStillDecrypt(int format, String writtenAt, @TempDir Path dir)
      throws Exception {
    Keyrings keyrings = keyrings(dir, format, writtenAt);
    Envelope env = Envelope.builder(keyrings).build();
    keyrings.keyring("tenant-acme").rotate();
    byte[] old = resource(format, "one-shot-cached-a.bin");
    byte[] moved = env.rewrap(old);
    assertEquals(3, Envelope.inspect(moved).kekVersion());
    assertEquals(format, moved[0], "rewrap keeps the format version");
    assertArrayEquals(utf8("format " + format + ", one-shot, cached data key, a"), env.decrypt(moved, CTX));
    byte[] tampered = old.clone();
    tampered[tampered.length - 1] ^= 1;
    assertThrows(DecryptionFailedException.class, () -> env.decrypt(tampered, CTX));
  }

  @ParameterizedTest(name = "format {0}")
  @CsvSource({"1, 2026-11-02T00:00:00Z", "2, 2026-11-26T00:00:00Z", "3, 2026-11-26T12:00:00Z"})
  void oneShotCiphertexts_relabelledAsAnotherFormat_neitherDecryptNorRewrap(int format, String writtenAt,
      @TempDir Path dir) throws Exception {
    Keyrings keyrings = keyrings(dir, format, writtenAt);
    Envelope env = Envelope.builder(keyrings).build();
    keyrings.keyring("tenant-acme").rotate();
    for (String name : new String[] {"one-shot-fresh.bin", "one-shot-cached-a.bin", "one-shot-empty-context.bin"}) {
      for (int other = 1; other <= 3; other++) {
        if (other == format) {
          continue;
        }
        byte[] relabelled = resource(format, name);
        relabelled[0] = (byte) other;
        EncryptionContext ctx = name.contains("empty") ? EncryptionContext.empty() : CTX;
        assertThrows(GeneralSecurityException.class, () -> env.decrypt(relabelled, ctx), name + " as " + other);
        assertThrows(GeneralSecurityException.class, () -> env.rewrap(relabelled), name + " as " + other);
      }
    }
  }
}
