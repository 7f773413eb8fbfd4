package dev.bulwark.crypto;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes the header fuzz seed corpus (run by hand; the files are committed). The seeds without a
 * suffix were written in format 1 and are kept, and so are older formats' seeds; this writes the
 * seeds of the formats this build writes, suffixed with their format ({@code -v3} one-shot,
 * {@code -v2} streaming).
 */
final class SeedCorpusWriter {
  private SeedCorpusWriter() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    byte[] oneShot = env.encrypt("seed".getBytes(java.nio.charset.StandardCharsets.US_ASCII), EncryptionContext.empty());
    String v = "-v" + oneShot[0];
    Files.write(dir.resolve("one-shot" + v), oneShot);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream s = Envelope.builder(f.keyrings).segmentSize(64).build()
        .newEncryptingStream(out, EncryptionContext.empty())) {
      s.write(new byte[100]);
    }
    Files.write(dir.resolve("streaming-v" + out.toByteArray()[0]), out.toByteArray());
    Files.write(dir.resolve("truncated-header" + v), Arrays.copyOf(oneShot, 40));
    byte[] relabelled = oneShot.clone();
    relabelled[1] = 2; // a format 3 header claiming the streaming suite
    Files.write(dir.resolve("streaming-suite" + v), relabelled);
  }
}
