package dev.bulwark.crypto;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes the header fuzz seed corpus (run by hand; the files are committed). The seeds without a
 * suffix were written in format 1 and are kept; this writes the current format's seeds with the
 * suffix {@code -v2}.
 */
final class SeedCorpusWriter {
  private SeedCorpusWriter() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    byte[] oneShot = env.encrypt("seed".getBytes(java.nio.charset.StandardCharsets.US_ASCII), EncryptionContext.empty());
    Files.write(dir.resolve("one-shot-v2"), oneShot);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream s = Envelope.builder(f.keyrings).segmentSize(64).build()
        .newEncryptingStream(out, EncryptionContext.empty())) {
      s.write(new byte[100]);
    }
    Files.write(dir.resolve("streaming-v2"), out.toByteArray());
    Files.write(dir.resolve("truncated-header-v2"), Arrays.copyOf(oneShot, 40));
  }
}
