package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAuditStoreTest {

  static final String ORIGIN = "example.com/audit/file";
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  final ChainKey chainKey = ChainKey.generate();
  @TempDir Path tmp;

  Path logDir() {
    return tmp.resolve("log");
  }

  AuditLog open(FileAuditStore store) {
    return AuditLog.builder(ORIGIN, store).clock(now::get).signer(signer).chainKey(chainKey).build();
  }

  VerificationReport verifyReadOnly() {
    try (FileAuditStore ro = FileAuditStore.openReadOnly(logDir())) {
      return AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).chainKey(chainKey).build().verify(ro);
    }
  }

  void write(int from, int to) {
    try (FileAuditStore store = FileAuditStore.open(logDir()); AuditLog log = open(store)) {
      for (int i = from; i < to; i++) {
        log.append(TestEvents.event(i));
      }
    }
  }

  Path segment0() {
    return logDir().resolve("seg-00000000000000000000.log");
  }

  /**
   * The open segment is sealed before a batch would take it past the store's byte cap (1 GiB in
   * production, 4 KiB here), so no segment grows beyond what one mapping reads: before, a log of
   * large events could write a segment over 2 GiB that no reader could open. Across reopen and
   * with the log's own seals, the result verifies intact with every event in order.
   */
  @Test
  void theOpenSegment_isSealedBeforeABatchWouldPassTheByteCap() throws IOException {
    int cap = 4096;
    try (FileAuditStore store = FileAuditStore.open(logDir(), cap); AuditLog log = open(store)) {
      for (int i = 0; i < 60; i++) {
        log.append(TestEvents.event(i));
      }
      log.appendAll(java.util.stream.IntStream.range(60, 100).mapToObj(TestEvents::event).toList());
      log.seal();
      for (int i = 100; i < 130; i++) {
        log.append(TestEvents.event(i));
      }
    }
    try (FileAuditStore store = FileAuditStore.open(logDir(), cap); AuditLog log = open(store)) {
      for (int i = 130; i < 160; i++) {
        log.append(TestEvents.event(i));
      }
    }
    List<Path> segments;
    try (Stream<Path> s = Files.list(logDir())) {
      segments = s.filter(p -> p.getFileName().toString().matches("seg-\\d{20}\\.log")).sorted().toList();
    }
    assertTrue(segments.size() > 5, "segments: " + segments);
    for (Path seg : segments) {
      long events = SegmentFrames.frames(seg, SegmentFrames.EVENT_MAGIC).size();
      assertTrue(Files.size(seg) <= cap || events == 40, seg + " holds " + Files.size(seg) + " bytes in " + events + " events");
    }
    VerificationReport r = verifyReadOnly();
    assertTrue(r.intact(), r.summary());
    assertEquals(160, r.size());
  }

  @Test
  void eventsSurviveReopen_andTheChainContinues() {
    write(0, 50);
    write(50, 80);
    VerificationReport r = verifyReadOnly();
    assertTrue(r.intact(), r.summary());
    assertEquals(80, r.size());
    assertEquals(80, r.lastCheckpointSize());
  }

  @Test
  void tornTail_isReportedReadOnly_thenRecoveredOnOpen_andLoggedAsAnEvent() throws IOException {
    write(0, 20);
    byte[] partial = java.util.Arrays.copyOf(AuditFrame.encodeEvent(
        dev.bulwark.audit.spi.StoredEvent.of(20, Bytes.of(new byte[100]), Bytes.of(new byte[32]), Bytes.empty(), "x")), 60);
    Files.write(segment0(), partial, StandardOpenOption.APPEND);
    VerificationReport before = verifyReadOnly();
    assertTrue(before.has(FindingCode.TORN_TAIL), before.summary());
    assertTrue(before.intact(), before.summary());
    try (FileAuditStore store = FileAuditStore.open(logDir())) {
      assertEquals(1, store.recoveries().size());
      try (AuditLog log = open(store)) {
        assertEquals(21, log.append(TestEvents.event(21)).seq());
      }
    }
    VerificationReport after = verifyReadOnly();
    assertTrue(after.intact(), after.summary());
    assertTrue(after.has(FindingCode.TORN_TAIL_RECOVERED), after.summary());
    assertFalse(after.has(FindingCode.TORN_TAIL), after.summary());
  }

  @Test
  void flippedByteInTheMiddle_isModified_andNeverRepaired() throws IOException {
    write(0, 30);
    byte[] bytes = Files.readAllBytes(segment0());
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(segment0(), bytes);
    VerificationReport r = verifyReadOnly();
    assertTrue(r.has(FindingCode.MODIFIED), r.summary());
    assertFalse(r.intact());
    try (FileAuditStore store = FileAuditStore.open(logDir())) {
      AuditException e = assertThrows(AuditException.class, () -> open(store));
      assertTrue(e.getMessage().contains("never repairs"), e.getMessage());
    }
    assertArrayEquals(bytes, Files.readAllBytes(segment0()), "tampered bytes must be left as found");
  }

  @Test
  void foreignFilesAndGarbageSegments_giveFindings_notCrashes() throws IOException {
    write(0, 10);
    Files.writeString(logDir().resolve("notes.txt"), "hello");
    Files.write(logDir().resolve("seg-00000000000000000005.log"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});
    VerificationReport r = verifyReadOnly();
    assertTrue(r.has(FindingCode.FOREIGN_DATA), r.summary());
    assertTrue(r.has(FindingCode.TORN_TAIL), "unreadable bytes ending the last segment: " + r.summary());
  }

  @Test
  void truncatedCheckpoints_giveFindings_andTheWriterDropsATornOne() throws IOException {
    write(0, 10);
    Path cps = logDir().resolve("checkpoints.log");
    long size = Files.size(cps);
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(cps, StandardOpenOption.WRITE)) {
      ch.truncate(size - 20);
    }
    VerificationReport r = verifyReadOnly();
    assertTrue(r.has(FindingCode.MALFORMED_CHECKPOINT), r.summary());
    write(10, 12);
    VerificationReport after = verifyReadOnly();
    assertTrue(after.intact(), after.summary());
    assertTrue(after.has(FindingCode.TORN_TAIL_RECOVERED), after.summary());
  }

  @Test
  void truncatedAnchoredCheckpoint_isMalformed() throws IOException {
    Path anchorDir = tmp.resolve("anchor");
    DirectoryAnchor anchor = new DirectoryAnchor(anchorDir);
    try (FileAuditStore store = FileAuditStore.open(logDir());
        AuditLog log = AuditLog.builder(ORIGIN, store).clock(now::get).signer(signer).anchor(anchor).build()) {
      log.append(TestEvents.event(1));
    }
    List<Path> notes;
    try (Stream<Path> s = Files.walk(anchorDir)) {
      notes = s.filter(p -> p.toString().endsWith(".note")).sorted().collect(Collectors.toList());
    }
    Path newest = notes.get(notes.size() - 1);
    byte[] b = Files.readAllBytes(newest);
    Files.write(newest, java.util.Arrays.copyOf(b, b.length / 2));
    try (FileAuditStore ro = FileAuditStore.openReadOnly(logDir())) {
      VerificationReport r = AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).anchor(anchor).build().verify(ro);
      assertTrue(r.has(FindingCode.MALFORMED_CHECKPOINT), r.summary());
    }
  }

  @Test
  void fullDisk_failsTheAppendLoudly_andTheLogStaysValid() {
    AtomicBoolean full = new AtomicBoolean();
    try (FileAuditStore store = FileAuditStore.open(logDir(), ch -> new FaultyChannel(ch, full));
        AuditLog log = open(store)) {
      for (int i = 0; i < 5; i++) {
        log.append(TestEvents.event(i));
      }
      full.set(true);
      AuditException e = assertThrows(AuditException.class, () -> log.append(TestEvents.event(5)));
      assertTrue(e.getMessage().contains("No space left"), e.getMessage());
      full.set(false);
      assertEquals(5, log.append(TestEvents.event(6)).seq());
    }
    VerificationReport r = verifyReadOnly();
    assertTrue(r.intact(), r.summary());
    assertFalse(r.has(FindingCode.TORN_TAIL), r.summary());
    assertEquals(6, r.size());
  }

  @Test
  void secondWriter_onTheSameDirectory_isRefused() {
    try (FileAuditStore store = FileAuditStore.open(logDir())) {
      assertThrows(AuditStoreException.class, () -> FileAuditStore.open(logDir()));
      assertEquals(0, store.head().nextSeq());
    }
  }

  @Test
  void retention_deletesWholeSegmentFiles_andReopenedLogVerifies() throws IOException {
    DirectoryAnchor anchor = new DirectoryAnchor(tmp.resolve("anchor"));
    try (FileAuditStore store = FileAuditStore.open(logDir());
        AuditLog log = AuditLog.builder(ORIGIN, store).clock(now::get).signer(signer).chainKey(chainKey).anchor(anchor)
            .segments(10, Duration.ofDays(1)).build()) {
      for (int i = 0; i < 45; i++) {
        log.append(TestEvents.event(i));
      }
      now.set(now.get().plus(Duration.ofDays(91)));
      PruneResult pr = log.applyRetention().orElseThrow();
      assertEquals(40, pr.cutSeq());
    }
    assertFalse(Files.exists(segment0()));
    try (FileAuditStore store = FileAuditStore.open(logDir());
        AuditLog log = AuditLog.builder(ORIGIN, store).clock(now::get).signer(signer).chainKey(chainKey).anchor(anchor).build()) {
      log.append(TestEvents.event(100));
    }
    try (FileAuditStore ro = FileAuditStore.openReadOnly(logDir())) {
      VerificationReport r = AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).chainKey(chainKey).anchor(anchor).build().verify(ro);
      assertTrue(r.fullyVerified(), r.summary());
      assertTrue(r.has(FindingCode.PRUNED_WITH_RECEIPT), r.summary());
    }
  }
}
