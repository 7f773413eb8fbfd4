package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 100 MiB segment of about 1.8 million tiny, CRC-valid frames verifies in a child JVM limited
 * to a 256 MiB heap, whatever sequence numbers the frames claim: findings are merged and capped,
 * so the report stays small.
 */
class HugeSegmentIT {

  static final String ORIGIN = "example.com/audit/huge";
  static final long SEGMENT_BYTES = 100L << 20;
  static final long SEED = Long.getLong("bulwark.seed", 20261207L);
  @TempDir Path tmp;

  /** Writes frames of an empty payload (57 bytes each) until the segment holds 100 MiB. */
  static long writeSegment(Path dir, LongUnaryOperator seqOf) throws IOException {
    Files.createDirectories(dir);
    byte[] frame = new byte[12 + 45];
    ByteBuffer b = ByteBuffer.wrap(frame);
    CRC32C crc = new CRC32C();
    long n = 0;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve("seg-00000000000000000000.log")), 1 << 20)) {
      for (long written = 0; written + frame.length <= SEGMENT_BYTES; written += frame.length) {
        b.clear();
        b.putInt(SegmentFrames.EVENT_MAGIC).putInt(45).putInt(0);
        b.putLong(seqOf.applyAsLong(n)).putInt(0).put(new byte[32]).put((byte) 0);
        crc.reset();
        crc.update(frame, 12, 45);
        b.putInt(8, (int) crc.getValue());
        out.write(frame);
        n++;
      }
    }
    return n;
  }

  static String verifyInChild(Path dir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
        "-cp", System.getProperty("java.class.path"), VerifyChild.class.getName(), dir.toString(), ORIGIN));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "child did not finish");
    String text = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "the child failed (out of memory?):\n" + text);
    return text;
  }

  @Test
  void hundredMiBOfTinyFrames_verifyUnder256MiB() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED);
    String[] names = {"ascending", "all-zero", "random"};
    LongUnaryOperator[] seqs = {n -> n, n -> 0, n -> random.nextLong(1L << 40)};
    for (int i = 0; i < names.length; i++) {
      Path dir = tmp.resolve(names[i]);
      long frames = writeSegment(dir, seqs[i]);
      String out = verifyInChild(dir);
      System.out.println("HugeSegmentIT " + names[i] + ": " + frames + " frames, seed " + SEED + ": " + out.trim());
      assertTrue(out.contains("REPORT ") && out.contains("stopped=0"), names[i] + " (seed " + SEED + "): " + out);
      int count = Integer.parseInt(out.replaceAll("(?s).*findings=(\\d+).*", "$1"));
      assertTrue(count <= AuditVerifier.MAX_FINDINGS + FindingCode.values().length, names[i] + ": " + out);
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.delete(f);
        }
      }
    }
  }
}
