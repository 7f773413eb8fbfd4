package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.spi.StoredEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One problem gives one finding, the verifier resynchronises after it, and independent problems
 * later in the log are still reported, each once. Logs here are keyed, signed and checkpointed
 * every 10 events, so every check the verifier has is in play.
 */
class VerifierFindingsTest {

  static final String ORIGIN = "example.com/audit/findings";
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  final ChainKey chainKey = ChainKey.generate();
  @TempDir Path tmp;

  Path logDir() {
    return tmp.resolve("log");
  }

  Path segment0() {
    return logDir().resolve("seg-00000000000000000000.log");
  }

  AuditVerifier verifier() {
    return AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).chainKey(chainKey).build();
  }

  /** Writes events [0, n) to a file log and returns the byte offset of every frame in segment 0. */
  List<Integer> fileLog(int n) throws IOException {
    try (FileAuditStore store = FileAuditStore.open(logDir());
        AuditLog log = AuditLog.builder(ORIGIN, store).clock(now::get).signer(signer).chainKey(chainKey)
            .checkpointEvery(10, Duration.ofHours(1)).build()) {
      for (int i = 0; i < n; i++) {
        log.append(TestEvents.event(i));
      }
    }
    byte[] bytes = Files.readAllBytes(segment0());
    List<Integer> offsets = new ArrayList<>();
    for (int at = 0; at < bytes.length; ) {
      offsets.add(at);
      int len = ((bytes[at + 4] & 0xff) << 24) | ((bytes[at + 5] & 0xff) << 16) | ((bytes[at + 6] & 0xff) << 8) | (bytes[at + 7] & 0xff);
      at += AuditFrame.HEADER_BYTES + len;
    }
    return offsets;
  }

  VerificationReport verifyFile() {
    try (FileAuditStore ro = FileAuditStore.openReadOnly(logDir())) {
      return verifier().verify(ro);
    }
  }

  InMemoryAuditStore memoryLog(int n) {
    InMemoryAuditStore store = new InMemoryAuditStore();
    try (AuditLog log = AuditLog.builder(ORIGIN, store).clock(now::get).signer(signer).chainKey(chainKey)
        .checkpointEvery(10, Duration.ofHours(1)).build()) {
      for (int i = 0; i < n; i++) {
        log.append(TestEvents.event(i));
      }
    }
    return store;
  }

  static List<FindingCode> codes(VerificationReport r) {
    return r.findings().stream().map(Finding::code).collect(Collectors.toList());
  }

  static List<Finding> errors(VerificationReport r) {
    return r.findings().stream().filter(f -> f.code().level() == FindingCode.Level.ERROR).collect(Collectors.toList());
  }

  void rewrite(byte[] bytes) throws IOException {
    Files.write(segment0(), bytes);
  }

  @Test
  void oneFlippedByte_inAFrame_isOneModifiedFinding_namingTheEvent() throws IOException {
    List<Integer> at = fileLog(30);
    byte[] bytes = Files.readAllBytes(segment0());
    bytes[at.get(12) + 40] ^= 0x01;
    rewrite(bytes);
    VerificationReport r = verifyFile();
    assertEquals(List.of(FindingCode.MODIFIED), codes(r), r.summary());
    Finding f = r.findings().get(0);
    assertEquals(12, f.seq(), r.summary());
    assertTrue(f.location().endsWith("@" + at.get(12)), r.summary());
    assertTrue(f.message().contains("event 12"), r.summary());
    assertEquals(30, r.size(), "the verifier resynchronised and read to the end");
  }

  @Test
  void oneFlippedBit_inAnEventsBytes_isOneModifiedFinding() {
    InMemoryAuditStore store = memoryLog(30);
    store.tamper(l -> Tamper.flip(l, 12, 0, 8 * 40));
    VerificationReport r = verifier().verify(store);
    assertEquals(List.of(FindingCode.MODIFIED), codes(r), r.summary());
    assertEquals(12, r.findings().get(0).seq());
  }

  @Test
  void oneFlippedBit_inAStoredChainHash_isOneModifiedFinding_andTheNextLinkStillVerifies() {
    InMemoryAuditStore store = memoryLog(30);
    store.tamper(l -> Tamper.flip(l, 12, 1, 3));
    VerificationReport r = verifier().verify(store);
    assertEquals(List.of(FindingCode.MODIFIED), codes(r), r.summary());
    assertEquals(12, r.findings().get(0).seq());
  }

  @Test
  void oneDeletedMiddleEvent_isOneSequenceGap() throws IOException {
    List<Integer> at = fileLog(30);
    byte[] bytes = Files.readAllBytes(segment0());
    byte[] cut = new byte[bytes.length - (at.get(13) - at.get(12))];
    System.arraycopy(bytes, 0, cut, 0, at.get(12));
    System.arraycopy(bytes, at.get(13), cut, at.get(12), bytes.length - at.get(13));
    rewrite(cut);
    VerificationReport r = verifyFile();
    assertEquals(List.of(FindingCode.SEQUENCE_GAP), codes(r), r.summary());
    assertEquals(12, r.findings().get(0).seq());
    assertEquals(30, r.size());
  }

  @Test
  void twoSwappedEvents_areTwoReorderedFindings() throws IOException {
    List<Integer> at = fileLog(30);
    byte[] bytes = Files.readAllBytes(segment0());
    byte[] swapped = new byte[bytes.length];
    int[] order = new int[30];
    for (int i = 0; i < 30; i++) {
      order[i] = i == 7 ? 19 : i == 19 ? 7 : i;
    }
    int p = 0;
    for (int i = 0; i < 30; i++) {
      int from = at.get(order[i]);
      int to = order[i] + 1 < 30 ? at.get(order[i] + 1) : bytes.length;
      System.arraycopy(bytes, from, swapped, p, to - from);
      p += to - from;
    }
    rewrite(swapped);
    VerificationReport r = verifyFile();
    assertEquals(List.of(FindingCode.REORDERED, FindingCode.REORDERED), codes(r), r.summary());
    assertEquals(List.of(19L, 7L), r.findings().stream().map(Finding::seq).collect(Collectors.toList()));
    assertTrue(r.notChecked().stream().noneMatch(n -> n.contains("Merkle")), "a reordering loses no check: " + r.summary());
  }

  @Test
  void twoAdjacentSwappedEvents_areOneReorderedFinding() {
    InMemoryAuditStore store = memoryLog(30);
    store.tamper(l -> Tamper.swap(l, 7, 8));
    VerificationReport r = verifier().verify(store);
    assertEquals(List.of(FindingCode.REORDERED), codes(r), r.summary());
  }

  @Test
  void oneTornTail_isOneWarning_andTheLogIsIntact() throws IOException {
    fileLog(30);
    byte[] partial = java.util.Arrays.copyOf(AuditFrame.encodeEvent(
        StoredEvent.of(30, Bytes.of(new byte[100]), Bytes.of(new byte[32]), Bytes.empty(), "x")), 60);
    Files.write(segment0(), partial, StandardOpenOption.APPEND);
    VerificationReport r = verifyFile();
    assertEquals(List.of(FindingCode.TORN_TAIL), codes(r), r.summary());
    assertTrue(r.intact());
    try (FileAuditStore store = FileAuditStore.open(logDir());
        AuditLog log = AuditLog.builder(ORIGIN, store).clock(now::get).signer(signer).chainKey(chainKey).build()) {
      assertEquals(31, log.append(TestEvents.event(31)).seq());
    }
    VerificationReport after = verifyFile();
    // The cut bytes are kept in a quarantine file, which the verifier reports next to the recovery.
    assertEquals(List.of(FindingCode.QUARANTINED, FindingCode.TORN_TAIL_RECOVERED), codes(after), after.summary());
  }

  @Test
  void independentProblemsLaterInTheLog_areEachReportedOnce() throws IOException {
    List<Integer> at = fileLog(60);
    byte[] bytes = Files.readAllBytes(segment0());
    bytes[at.get(5) + 30] ^= 0x10; // damaged frame: event 5
    // delete event 20, swap 33 and 41, damage event 50
    bytes[at.get(50) + 50] ^= 0x02;
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      int to = i + 1 < 60 ? at.get(i + 1) : bytes.length;
      frames.add(java.util.Arrays.copyOfRange(bytes, at.get(i), to));
    }
    byte[] f33 = frames.get(33);
    frames.set(33, frames.get(41));
    frames.set(41, f33);
    frames.remove(20);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    frames.forEach(out::writeBytes);
    rewrite(out.toByteArray());
    VerificationReport r = verifyFile();
    List<String> bySeq = r.findings().stream().sorted(java.util.Comparator.comparingLong(Finding::seq))
        .map(f -> f.code() + "@" + f.seq()).collect(Collectors.toList());
    assertEquals(List.of("MODIFIED@5", "SEQUENCE_GAP@20", "REORDERED@33", "REORDERED@41", "MODIFIED@50"), bySeq, r.summary());
  }

  @Test
  void forgedEventWithRecomputedPlainChain_inASignedLog_isOneFinding() {
    InMemoryAuditStore store = new InMemoryAuditStore();
    try (AuditLog log = AuditLog.builder(ORIGIN, store).clock(now::get).signer(signer)
        .checkpointEvery(10, Duration.ofHours(1)).build()) {
      for (int i = 0; i < 45; i++) {
        log.append(TestEvents.event(i));
      }
    }
    store.tamper(l -> Tamper.forge(l, 12, ORIGIN));
    VerificationReport r = AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).build().verify(store);
    assertEquals(List.of(FindingCode.MODIFIED), codes(r), r.summary());
    assertEquals("checkpoint size 20", r.findings().get(0).location(), r.summary());
  }

  @Test
  void forgedEventWithRecomputedPlainChain_inAKeyedLog_isOneFindingForTheRewrittenRun() {
    InMemoryAuditStore store = new InMemoryAuditStore();
    try (AuditLog log = AuditLog.builder(ORIGIN, store).clock(now::get).chainKey(chainKey).build()) {
      for (int i = 0; i < 45; i++) {
        log.append(TestEvents.event(i));
      }
    }
    store.tamper(l -> Tamper.forge(l, 12, ORIGIN));
    VerificationReport r = AuditVerifier.builder(ORIGIN).chainKey(chainKey).build().verify(store);
    assertEquals(List.of(FindingCode.MODIFIED), codes(r), r.summary());
    assertTrue(r.findings().get(0).message().contains("events 12..44"), r.summary());
  }

  /** A damaged last frame looks like a crash, but a signed checkpoint covered it: one TRUNCATED finding. */
  @Test
  void damagedLastFrame_underASignedCheckpoint_isOneTruncatedFinding() throws IOException {
    List<Integer> at = fileLog(30);
    byte[] bytes = Files.readAllBytes(segment0());
    bytes[at.get(29) + 20] ^= 0x04;
    rewrite(bytes);
    VerificationReport r = verifyFile();
    assertEquals(List.of(FindingCode.TRUNCATED), codes(r), r.summary());
    assertTrue(r.findings().get(0).location().endsWith("@" + at.get(29)), r.summary());
    assertFalse(r.intact());
  }

  /**
   * Garbage that is no frame in place of the last events of the open segment reads like a torn
   * tail (power loss can leave stale blocks there), but a signed checkpoint covered those events,
   * so it is one TRUNCATED error at the first lost event, not also a modification.
   */
  @Test
  void garbageInPlaceOfTheLastEvents_isOneTruncatedFinding_notAlsoModified() throws IOException {
    List<Integer> at = fileLog(30);
    byte[] bytes = Files.readAllBytes(segment0());
    for (int i = at.get(28); i < bytes.length; i++) {
      bytes[i] = (byte) 0x5a;
    }
    rewrite(bytes);
    VerificationReport r = verifyFile();
    assertEquals(List.of(FindingCode.TRUNCATED), codes(r), r.summary());
    assertEquals(28, r.findings().get(0).seq(), r.summary());
    assertFalse(r.intact(), r.summary());
  }

  @Test
  void eventMovedFarBeyondTheReorderWindow_isOneReorderedFinding() {
    int n = 5000;
    InMemoryAuditStore store = new InMemoryAuditStore();
    try (AuditLog log = AuditLog.builder(ORIGIN, store).clock(now::get).chainKey(chainKey).build()) {
      List<AuditEvent> events = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        events.add(TestEvents.event(i));
      }
      log.appendAll(events);
    }
    store.tamper(l -> {
      List<StoredEvent> out = new ArrayList<>(l);
      out.add(out.remove(3));
      return out;
    });
    VerificationReport r = AuditVerifier.builder(ORIGIN).chainKey(chainKey).build().verify(store);
    assertEquals(List.of(FindingCode.REORDERED), codes(r), r.summary());
    assertEquals(3, r.findings().get(0).seq());
  }
}
