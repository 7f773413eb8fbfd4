package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One problem, one finding: runs of the same damage are reported once, with their range. */
class MergedFindingsTest {

  static final String ORIGIN = "example.com/audit/merged";
  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  @TempDir Path tmp;

  Path log(String name, int n, DirectoryAnchor anchor) {
    Path dir = tmp.resolve(name);
    try (FileAuditStore store = FileAuditStore.open(dir)) {
      AuditLog.Builder b = AuditLog.builder(ORIGIN, store).signer(signer).segments(100, Duration.ofDays(1));
      if (anchor != null) {
        b.anchor(anchor);
      }
      try (AuditLog log = b.build()) {
        for (int i = 0; i < n; i++) {
          log.append(TestEvents.event(i));
        }
      }
    }
    return dir;
  }

  VerificationReport verify(Path dir, DirectoryAnchor anchor) {
    AuditVerifier.Builder b = AuditVerifier.builder(ORIGIN).trust(signer.publicKey());
    if (anchor != null) {
      b.anchor(anchor);
    }
    return b.build().verify(FileAuditStore.openReadOnly(dir));
  }

  static long count(VerificationReport r, FindingCode code) {
    return r.findings().stream().filter(f -> f.code() == code).count();
  }

  static Path seg(Path dir, long first) {
    return dir.resolve(String.format("seg-%020d.log", first));
  }

  @Test
  void copiedSegment_isOneFork() throws IOException {
    Path dir = log("copy", 300, null);
    Files.copy(seg(dir, 0), seg(dir, 150));
    VerificationReport r = verify(dir, null);
    assertEquals(1, count(r, FindingCode.FORK), r.summary());
    assertTrue(r.findings().stream().anyMatch(f -> f.code() == FindingCode.FORK && f.message().contains("0..")), r.summary());
  }

  @Test
  void renamedSegment_isOneReordered() throws IOException {
    Path dir = log("rename", 300, null);
    Files.move(seg(dir, 100), seg(dir, 250));
    VerificationReport r = verify(dir, null);
    assertEquals(1, count(r, FindingCode.REORDERED), r.summary());
    assertFalse(r.intact());
  }

  @Test
  void oneTruncation_isOneTruncatedFinding_evenWithAnAnchor() throws IOException {
    DirectoryAnchor anchor = new DirectoryAnchor(tmp.resolve("anchor"));
    Path dir = log("truncate", 250, anchor);
    List<SegmentFrames.Frame> frames = SegmentFrames.frames(seg(dir, 200), SegmentFrames.EVENT_MAGIC);
    try (FileChannel ch = FileChannel.open(seg(dir, 200), StandardOpenOption.WRITE)) {
      ch.truncate(frames.get(30).offset());
    }
    VerificationReport r = verify(dir, anchor);
    assertEquals(1, count(r, FindingCode.TRUNCATED), r.summary());
    assertFalse(r.intact());
  }

  @Test
  void unreadableRecordsInARow_areOneFinding() throws IOException {
    Path dir = log("unreadable", 20, null);
    ByteBuffer frames = ByteBuffer.allocate(1000 * 57);
    for (int i = 0; i < 1000; i++) {
      // CRC-valid frames whose sequence number no log can hold.
      ByteBuffer body = ByteBuffer.allocate(45).putLong(Long.MAX_VALUE - i).putInt(0).put(new byte[32]).put((byte) 0);
      CRC32C crc = new CRC32C();
      crc.update(body.array());
      frames.putInt(SegmentFrames.EVENT_MAGIC).putInt(45).putInt((int) crc.getValue()).put(body.array());
    }
    Files.write(seg(dir, 0), frames.array(), StandardOpenOption.APPEND);
    VerificationReport r = verify(dir, null);
    assertEquals(1, count(r, FindingCode.MODIFIED), r.summary());
    assertTrue(r.summary().contains("999 more unreadable"), r.summary());
  }

  @Test
  void findingsAreCapped_andTheRestCounted() {
    FindingList list = new FindingList();
    for (int i = 0; i < AuditVerifier.MAX_FINDINGS + 500; i++) {
      list.add(new Finding(i % 2 == 0 ? FindingCode.SEQUENCE_GAP : FindingCode.FORK, i, "x", "m"));
    }
    List<Finding> out = list.materialize();
    assertEquals(AuditVerifier.MAX_FINDINGS + 2, out.size());
    assertTrue(out.get(out.size() - 1).message().contains("250 more"), out.get(out.size() - 1).toString());
  }
}
