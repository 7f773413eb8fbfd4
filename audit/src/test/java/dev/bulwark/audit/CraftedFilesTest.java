package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of crafted store directories: whatever the files hold, {@link AuditVerifier#verify}
 * returns a report (the damage as findings) and {@link AuditLog.Builder#build} either opens the
 * log or refuses with an {@link AuditException} or {@link AuditStoreException}, never another exception.
 */
class CraftedFilesTest {

  static final String ORIGIN = "example.com/audit/crafted";
  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  @TempDir Path tmp;

  /** A clean, signed file log of {@code n} events in {@code dir}. */
  Path log(String name, int n) {
    Path dir = tmp.resolve(name);
    try (FileAuditStore store = FileAuditStore.open(dir);
         AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).build()) {
      for (int i = 0; i < n; i++) {
        log.append(TestEvents.event(i));
      }
    }
    return dir;
  }

  static Path segment(Path dir) {
    return SegmentFrames.segments(dir).firstEntry().getValue();
  }

  /** A valid-CRC event frame claiming {@code seq}, with the payload of a real event. */
  static byte[] frame(long seq, byte[] payload) {
    java.nio.ByteBuffer body = java.nio.ByteBuffer.allocate(8 + 4 + payload.length + 32 + 1);
    body.putLong(seq).putInt(payload.length).put(payload).put(new byte[32]).put((byte) 0);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(body.array());
    return java.nio.ByteBuffer.allocate(12 + body.capacity()).putInt(SegmentFrames.EVENT_MAGIC)
        .putInt(body.capacity()).putInt((int) crc.getValue()).put(body.array()).array();
  }

  /** The report, failing when verification only ended in its catch-all. */
  static VerificationReport completed(VerificationReport r) {
    assertTrue(r.findings().stream().noneMatch(f -> f.message().startsWith("verification could not finish")), r.summary());
    return r;
  }

  static byte[] payloadOfFirstEvent(Path dir) {
    byte[] body = SegmentFrames.frames(segment(dir), SegmentFrames.EVENT_MAGIC).get(0).body();
    int len = java.nio.ByteBuffer.wrap(body).getInt(8);
    byte[] p = new byte[len];
    System.arraycopy(body, 12, p, 0, len);
    return p;
  }

  static void appendBytes(Path file, byte[] b) {
    try {
      Files.write(file, b, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A file of {@code length} bytes that takes no disk space (a hole). */
  static void sparse(Path file, long length) {
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(length);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  record Case(String name, Consumer<Path> craft) {}

  List<Case> corpus() {
    List<Case> cases = new ArrayList<>();
    for (long seq : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE - 4096, -1, Long.MIN_VALUE, 6, 3}) {
      cases.add(new Case("frame with seq " + seq, d -> appendBytes(segment(d), frame(seq, payloadOfFirstEvent(d)))));
    }
    cases.add(new Case("two frames near Long.MAX_VALUE", d -> {
      appendBytes(segment(d), frame(Long.MAX_VALUE, payloadOfFirstEvent(d)));
      appendBytes(segment(d), frame(Long.MAX_VALUE - 1, payloadOfFirstEvent(d)));
    }));
    cases.add(new Case("sparse 3 GiB prune base", d -> sparse(d.resolve("base"), 3L << 30)));
    cases.add(new Case("checkpoint file grown to a sparse 3 GiB", d -> sparse(d.resolve("checkpoints.log"), 3L << 30)));
    cases.add(new Case("segment grown to a sparse 3 GiB", d -> sparse(segment(d), 3L << 30)));
    cases.add(new Case("checkpoint file grown by a sparse 300 MiB", d -> {
      try {
        sparse(d.resolve("checkpoints.log"), Files.size(d.resolve("checkpoints.log")) + (300L << 20));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }));
    cases.add(new Case("stray segment name overflowing a long", d ->
        write(d.resolve("seg-99999999999999999999.log"), "")));
    cases.add(new Case("stray segment name at Long.MAX_VALUE", d -> {
      try {
        Files.copy(segment(d), d.resolve(String.format("seg-%020d.log", Long.MAX_VALUE)));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }));
    cases.add(new Case("stray hold marker overflowing a long", d -> write(d.resolve("seg-99999999999999999999.hold"), "legal hold\n")));
    String zero = Bytes.of(new byte[32]).base64();
    StringBuilder maxRange = new StringBuilder();
    for (int i = 0; i < 63; i++) {
      maxRange.append(' ').append(zero);
    }
    for (String base : new String[] {"", "garbage", "99999999999999999999 " + zero, "-5 " + zero, "1 " + zero,
        "0 AA==", "9223372036854775807 " + zero + maxRange, "9223372036854775806 " + zero + maxRange.substring(45),
        "3 " + zero + " " + zero + " " + zero, "0 " + zero + " " + zero, "1 " + zero + " AAF=", "\u0000\u0001"}) {
      cases.add(new Case("base file '" + base.substring(0, Math.min(base.length(), 30)) + "'", d -> write(d.resolve("base"), base + "\n")));
    }
    cases.add(new Case("checkpoint file of garbage", d -> write(d.resolve("checkpoints.log"), "BWC1garbage")));
    cases.add(new Case("segment replaced by a directory", d -> {
      try {
        Path s = segment(d);
        Files.delete(s);
        Files.createDirectory(s);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }));
    return cases;
  }

  @Test
  void verifyAlwaysReturnsAReport_andBuildOnlyRefusesWithAuditException() {
    List<String> failures = new ArrayList<>();
    int n = 0;
    for (Case c : corpus()) {
      Path dir = log("case-" + n++, 5);
      c.craft().accept(dir);
      VerificationReport r = null;
      try {
        r = AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).build().verify(FileAuditStore.openReadOnly(dir));
        assertNotNull(r);
        if (r.findings().stream().anyMatch(f -> f.message().startsWith("verification could not finish"))) {
          failures.add(c.name() + ": verification stopped:\n" + r.summary());
        } else if (r.findings().isEmpty()) {
          failures.add(c.name() + ": no finding at all:\n" + r.summary());
        }
      } catch (RuntimeException e) {
        failures.add(c.name() + ": verify threw " + e);
      }
      try (FileAuditStore store = FileAuditStore.open(dir);
           AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).build()) {
        log.size();
      } catch (AuditException | AuditStoreException e) {
        // Refused with a typed exception (damage: AuditException; the file system: AuditStoreException): fine.
      } catch (RuntimeException e) {
        failures.add(c.name() + ": open/build threw " + e);
      }
    }
    if (!failures.isEmpty()) {
      fail(failures.size() + " crafted directories broke the contract:\n" + String.join("\n", failures));
    }
  }

  @Test
  void foreignSegmentNames_areFindings() {
    Path dir = log("overflow", 3);
    write(dir.resolve("seg-99999999999999999999.log"), "x");
    VerificationReport r = completed(AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).build().verify(FileAuditStore.openReadOnly(dir)));
    assertTrue(r.has(FindingCode.FOREIGN_DATA), r.summary());
    assertTrue(r.findings().stream().anyMatch(f -> f.location().contains("seg-99999999999999999999.log")), r.summary());
  }

  @Test
  void damagedBaseFile_isAMalformedFinding_notAnException() {
    Path dir = log("base", 3);
    write(dir.resolve("base"), "99999999999999999999 garbage\n");
    VerificationReport r = completed(AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).build().verify(FileAuditStore.openReadOnly(dir)));
    assertTrue(r.has(FindingCode.MALFORMED), r.summary());
    assertFalse(r.intact(), r.summary());
  }

  /**
   * A crafted multi-gigabyte {@code base} (sparse, so it costs the attacker nothing) is refused by
   * its size before it is read: a finding for the verifier, a typed refusal for the writer,
   * never an {@link OutOfMemoryError}, and every segment stays.
   */
  @Test
  void hugeSparseBaseFile_isAMalformedFinding_andTheWriterRefusesWithoutDeleting() throws IOException {
    Path dir = log("hugebase", 3);
    sparse(dir.resolve("base"), 3L << 30);
    List<Path> before;
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      before = s.sorted().toList();
    }
    VerificationReport r = completed(AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).build().verify(FileAuditStore.openReadOnly(dir)));
    assertTrue(r.has(FindingCode.MALFORMED), r.summary());
    assertFalse(r.intact(), r.summary());
    assertThrows(AuditException.class, () -> FileAuditStore.open(dir).close());
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      assertEquals(before, s.sorted().toList(), "opening deleted or added files");
    }
    assertEquals(3L << 30, Files.size(dir.resolve("base")));
  }

  @Test
  void frameNearLongMax_isAFinding() {
    Path dir = log("max", 4);
    appendBytes(segment(dir), frame(Long.MAX_VALUE, payloadOfFirstEvent(dir)));
    VerificationReport r = completed(AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).build().verify(FileAuditStore.openReadOnly(dir)));
    assertFalse(r.intact(), r.summary());
  }
}
