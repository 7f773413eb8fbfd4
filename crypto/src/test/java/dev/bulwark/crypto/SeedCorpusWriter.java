package dev.bulwark.crypto;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Writes the header fuzz seed corpus (run by hand; the files are committed). */
final class SeedCorpusWriter {
  private SeedCorpusWriter() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    byte[] oneShot = env.encrypt("seed".getBytes(java.nio.charset.StandardCharsets.US_ASCII), EncryptionContext.empty());
    Files.write(dir.resolve("one-shot"), oneShot);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream s = Envelope.builder(f.keyrings).segmentSize(64).build()
        .newEncryptingStream(out, EncryptionContext.empty())) {
      s.write(new byte[100]);
    }
    Files.write(dir.resolve("streaming"), out.toByteArray());
    Files.write(dir.resolve("truncated-header"), Arrays.copyOf(oneShot, 40));
    byte[] badVersion = oneShot.clone();
    badVersion[0] = 9;
    Files.write(dir.resolve("unknown-format"), badVersion);
    byte[] longWrap = oneShot.clone();
    longWrap[14] = (byte) 0xff;
    Files.write(dir.resolve("wrapped-length-too-large"), longWrap);
    Files.write(dir.resolve("empty"), new byte[0]);
  }
}
