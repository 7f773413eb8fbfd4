package dev.bulwark.crypto;

import com.google.crypto.tink.Aead;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;

/**
 * Writes known-answer ciphertexts in the format this build writes (run by hand; the files are
 * committed under {@code src/test/resources/vectors/envelope-v<format>} and must keep decrypting
 * in every later build). Arguments: the output directory and the clock instant. The keyring file
 * is sealed under the master key 00 01 .. 1f; keyring {@code tenant-acme} gets KEK versions 1
 * and 2; the context is {@code tenant=acme, table=notes} unless a file's name says otherwise.
 */
final class KnownAnswerWriter {
  private KnownAnswerWriter() {}

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    Aead master = KekProviders.masterKey(HexFormat.of().parseHex(
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
    Keyrings keyrings = Keyrings.builder(KeyringStores.encryptedFile(dir.resolve("keyring.bin"), master),
        KekProviders.local(master)).clock(Clock.fixed(Instant.parse(args[1]), ZoneOffset.UTC)).build();
    EncryptionContext ctx = EncryptionContext.of("tenant", "acme", "table", "notes");
    Envelope fresh = Envelope.builder(keyrings).keyringId("tenant-acme").dataKeyCache(DataKeyCachePolicy.NONE).build();
    Envelope cached = Envelope.builder(keyrings).keyringId("tenant-acme").build();
    String format = "format " + formatOf(cached.encrypt(new byte[0], ctx));
    Files.write(dir.resolve("one-shot-fresh.bin"), fresh.encrypt(utf8(format + ", one-shot, fresh data key"), ctx));
    Files.write(dir.resolve("one-shot-cached-a.bin"), cached.encrypt(utf8(format + ", one-shot, cached data key, a"), ctx));
    Files.write(dir.resolve("one-shot-cached-b.bin"), cached.encrypt(utf8(format + ", one-shot, cached data key, b"), ctx));
    Files.write(dir.resolve("one-shot-empty-context.bin"), fresh.encrypt(new byte[0], EncryptionContext.empty()));
    byte[] streamed = new byte[200];
    for (int i = 0; i < streamed.length; i++) {
      streamed[i] = (byte) i;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream s = Envelope.builder(keyrings).keyringId("tenant-acme").segmentSize(64).build()
        .newEncryptingStream(out, ctx)) {
      s.write(streamed);
    }
    Files.write(dir.resolve("streaming-64.bin"), out.toByteArray());
    keyrings.keyring("tenant-acme").rotate();
    Files.write(dir.resolve("one-shot-v2-kek.bin"), fresh.encrypt(utf8(format + ", under KEK version 2"), ctx));
  }

  private static int formatOf(byte[] ciphertext) {
    return ciphertext[0];
  }
}
