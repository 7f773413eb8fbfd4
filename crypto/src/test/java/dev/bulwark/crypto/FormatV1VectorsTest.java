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
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ciphertexts in format version 1 keep decrypting. {@code src/test/resources/vectors/envelope-v1}
 * holds a keyring file and ciphertexts that Bulwark wrote in format 1 (commit f239fee), under the
 * master key 00 01 .. 1f: keyring {@code tenant-acme}, KEK versions 1 and 2, fresh and cached data
 * keys, an empty context, and a stream in 64-byte segments.
 */
class FormatV1VectorsTest {
  private static final EncryptionContext CTX = EncryptionContext.of("tenant", "acme", "table", "notes");

  private static byte[] resource(String name) throws Exception {
    try (InputStream in = FormatV1VectorsTest.class.getResourceAsStream("/vectors/envelope-v1/" + name)) {
      return in.readAllBytes();
    }
  }

  private static Keyrings keyrings(Path dir) throws Exception {
    Path file = dir.resolve("keyring.bin");
    Files.write(file, resource("keyring.bin"));
    Aead master = KekProviders.masterKey(HexFormat.of().parseHex(
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
    return Keyrings.builder(KeyringStores.encryptedFile(file, master), KekProviders.local(master))
        .clock(Clock.fixed(Instant.parse("2026-11-02T00:00:00Z"), ZoneOffset.UTC)).build();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void formatOneCiphertexts_decrypt_withAndWithoutCaching(@TempDir Path dir) throws Exception {
    Keyrings keyrings = keyrings(dir);
    for (Envelope env : new Envelope[] {
        Envelope.builder(keyrings).build(),
        Envelope.builder(keyrings).dataKeyCache(DataKeyCachePolicy.NONE).build()}) {
      assertArrayEquals(utf8("format 1, one-shot, fresh data key"), env.decrypt(resource("one-shot-fresh.bin"), CTX));
      assertArrayEquals(utf8("format 1, one-shot, cached data key, a"), env.decrypt(resource("one-shot-cached-a.bin"), CTX));
      assertArrayEquals(utf8("format 1, one-shot, cached data key, b"), env.decrypt(resource("one-shot-cached-b.bin"), CTX));
      assertArrayEquals(new byte[0], env.decrypt(resource("one-shot-empty-context.bin"), EncryptionContext.empty()));
      assertArrayEquals(utf8("format 1, under KEK version 2"), env.decrypt(resource("one-shot-v2-kek.bin"), CTX));
      assertEquals(2, Envelope.inspect(resource("one-shot-v2-kek.bin")).kekVersion());
      byte[] expected = new byte[200];
      for (int i = 0; i < expected.length; i++) {
        expected[i] = (byte) i;
      }
      try (InputStream in = env.newDecryptingStream(new ByteArrayInputStream(resource("streaming-64.bin")), CTX)) {
        assertArrayEquals(expected, in.readAllBytes());
      }
      assertThrows(DecryptionFailedException.class,
          () -> env.decrypt(resource("one-shot-fresh.bin"), EncryptionContext.of("tenant", "acme")));
    }
  }

  @Test
  void formatOneCiphertexts_rewrapInFormatOne_andStillDecrypt(@TempDir Path dir) throws Exception {
    Keyrings keyrings = keyrings(dir);
    Envelope env = Envelope.builder(keyrings).build();
    keyrings.keyring("tenant-acme").rotate();
    byte[] old = resource("one-shot-cached-a.bin");
    byte[] moved = env.rewrap(old);
    assertEquals(3, Envelope.inspect(moved).kekVersion());
    assertEquals(1, moved[0], "rewrap keeps the format version");
    assertArrayEquals(utf8("format 1, one-shot, cached data key, a"), env.decrypt(moved, CTX));
    byte[] tampered = old.clone();
    tampered[tampered.length - 1] ^= 1;
    assertThrows(DecryptionFailedException.class, () -> env.decrypt(tampered, CTX));
  }
}
