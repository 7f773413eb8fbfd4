package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening a file store never deletes or truncates away anything that was on disk. */
class EvidencePreservationTest {

  static final String ORIGIN = "example.com/audit/evidence";
  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  @TempDir Path dir;

  /** Three sealed segments of 5 events and an open one; a legal hold on the first. */
  void threeSegments() {
    try (FileAuditStore store = FileAuditStore.open(dir);
         AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).segments(5, Duration.ofDays(1)).build()) {
      for (int i = 0; i < 17; i++) {
        log.append(TestEvents.event(i));
      }
      log.setLegalHold(0, true, Actor.user("legal", "sso"), "case 42");
    }
  }

  /** Every file in the directory and its bytes (LOCK aside, which is empty). */
  Map<String, byte[]> snapshot() throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.collect(Collectors.toList())) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  void assertUnchanged(Map<String, byte[]> before) throws IOException {
    Map<String, byte[]> after = snapshot();
    assertEquals(before.keySet(), after.keySet());
    for (String f : before.keySet()) {
      assertArrayEquals(before.get(f), after.get(f), f);
    }
  }

  @Test
  void forgedPruneBase_deletesNothing_andIsRefused() throws IOException {
    threeSegments();
    assertTrue(Files.exists(dir.resolve("seg-00000000000000000000.hold")));
    String zero = Bytes.of(new byte[32]).base64();
    // A well-formed base that claims the log starts at 10 (a segment boundary) and one at 12 (not one).
    for (String forged : new String[] {"10 " + zero + " " + zero + " " + zero, "12 " + zero + " " + zero + " " + zero}) {
      Files.writeString(dir.resolve("base"), forged + "\n", StandardCharsets.UTF_8);
      Map<String, byte[]> before = snapshot();
      try (FileAuditStore store = FileAuditStore.open(dir)) {
        assertThrows(AuditException.class, () -> AuditLog.builder(ORIGIN, store).signer(signer).build().close());
      } catch (AuditException refused) {
        // the store itself refused: fine as well
      }
      before.remove("LOCK");
      Map<String, byte[]> after = snapshot();
      after.remove("LOCK");
      assertEquals(before.keySet(), after.keySet(), "open with base '" + forged.substring(0, 3) + "' removed files");
      for (String f : before.keySet()) {
        assertArrayEquals(before.get(f), after.get(f), f);
      }
      assertTrue(Files.exists(dir.resolve("seg-00000000000000000000.log")));
      assertTrue(Files.exists(dir.resolve("seg-00000000000000000000.hold")), "legal hold marker removed");
    }
  }

  @Test
  void damagedPruneBase_deletesNothing() throws IOException {
    threeSegments();
    Files.writeString(dir.resolve("base"), "10 not-base64\n", StandardCharsets.UTF_8);
    Map<String, byte[]> before = snapshot();
    assertThrows(AuditException.class, () -> FileAuditStore.open(dir).close());
    assertUnchanged(before);
  }

  @Test
  void tornTail_isQuarantined_notDropped_andReported() throws IOException {
    try (FileAuditStore store = FileAuditStore.open(dir);
         AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).build()) {
      for (int i = 0; i < 6; i++) {
        log.append(TestEvents.event(i));
      }
    }
    Path seg = dir.resolve("seg-00000000000000000000.log");
    long durable = Files.size(seg);
    byte[] torn = new byte[77];
    for (int i = 0; i < torn.length; i++) {
      torn[i] = (byte) (i * 31 + 7);
    }
    torn[0] = 'B';
    Files.write(seg, torn, StandardOpenOption.APPEND);
    try (FileAuditStore store = FileAuditStore.open(dir);
         AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).build()) {
      assertEquals(1, store.recoveries().size());
      log.append(TestEvents.event(6));
    }
    List<Path> kept;
    try (Stream<Path> files = Files.list(dir)) {
      kept = files.filter(p -> p.getFileName().toString().startsWith("quarantine-")).collect(Collectors.toList());
    }
    assertEquals(1, kept.size(), kept.toString());
    assertArrayEquals(torn, Files.readAllBytes(kept.get(0)), "the cut bytes are kept exactly");
    assertTrue(Files.size(seg) > durable);
    VerificationReport r = AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).build()
        .verify(FileAuditStore.openReadOnly(dir));
    assertTrue(r.has(FindingCode.QUARANTINED), r.summary());
    assertTrue(r.has(FindingCode.TORN_TAIL_RECOVERED), r.summary());
    assertTrue(r.intact(), r.summary());
  }
}
