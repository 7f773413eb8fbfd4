package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.spi.StoredEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restart never signs a history that was rewritten while the writer was down. */
class RestartLaunderingTest {

  static final String ORIGIN = "example.com/audit/restart";
  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  final Actor operator = Actor.user("ops-7", "hardware-key");
  @TempDir Path dir;

  void write(ChainKey key, int n) {
    try (FileAuditStore store = FileAuditStore.open(dir)) {
      AuditLog.Builder b = AuditLog.builder(ORIGIN, store).signer(signer);
      if (key != null) {
        b.chainKey(key);
      }
      try (AuditLog log = b.build()) {
        for (int i = 0; i < n; i++) {
          log.append(TestEvents.event(i));
        }
      }
    }
  }

  /** Rewrites event {@code index} and recomputes the plain chain after it, as someone with file access can. */
  void forgeOnDisk(int index) throws IOException {
    List<StoredEvent> events;
    try (FileAuditStore ro = FileAuditStore.openReadOnly(dir); Stream<StoredEvent> s = ro.read(0)) {
      events = s.collect(Collectors.toList());
    }
    List<StoredEvent> forged = Tamper.forge(events, index, ORIGIN);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (StoredEvent e : forged) {
      out.writeBytes(AuditFrame.encodeEvent(e));
    }
    Files.write(dir.resolve("seg-00000000000000000000.log"), out.toByteArray());
  }

  VerificationReport verify() {
    return AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).build().verify(FileAuditStore.openReadOnly(dir));
  }

  @Test
  void forgedHistoryWithDeletedCheckpoints_isNotSignedOnRestart_untilAnOperatorAcceptsIt() throws IOException {
    write(null, 20);
    forgeOnDisk(3);
    Files.delete(dir.resolve("checkpoints.log"));

    VerificationReport before = verify();
    assertTrue(before.has(FindingCode.CHECKPOINTS_MISSING), before.summary());
    assertFalse(before.intact(), before.summary());

    try (FileAuditStore store = FileAuditStore.open(dir)) {
      UnsealedHistoryException e = assertThrows(UnsealedHistoryException.class,
          () -> AuditLog.builder(ORIGIN, store).signer(signer).build());
      assertEquals(20, e.storedSize());
      assertEquals(-1, e.sealedSize());
    }
    // Refusing signed nothing: still no checkpoint covers the forged events.
    VerificationReport still = verify();
    assertTrue(still.has(FindingCode.CHECKPOINTS_MISSING), still.summary());

    try (FileAuditStore store = FileAuditStore.open(dir);
         AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer)
             .acceptUnsealedHistory(operator, "checkpoints.log lost in incident 42").build()) {
      log.append(TestEvents.event(99));
    }
    VerificationReport after = verify();
    assertTrue(after.has(FindingCode.HISTORY_ACCEPTED), after.summary());
    assertTrue(after.findings().stream().anyMatch(f -> f.code() == FindingCode.HISTORY_ACCEPTED
        && f.message().contains("ops-7") && f.message().contains("0..20") && f.message().contains("incident 42")),
        after.summary());
    assertFalse(after.has(FindingCode.CHECKPOINTS_MISSING), after.summary());
  }

  @Test
  void rewrittenEventsUnderStoredCheckpoints_areRefused() throws IOException {
    write(null, 20);
    forgeOnDisk(3);
    try (FileAuditStore store = FileAuditStore.open(dir)) {
      AuditException e = assertThrows(AuditException.class, () -> AuditLog.builder(ORIGIN, store).signer(signer)
          .acceptUnsealedHistory(operator, "accepting never covers a contradiction").build());
      assertTrue(e.getMessage().contains("differ from the checkpoint"), e.getMessage());
    }
  }

  @Test
  void keyedLog_checksTheMacsOnOpen() throws IOException {
    ChainKey key = ChainKey.generate();
    write(key, 20);
    forgeOnDisk(3);
    Files.delete(dir.resolve("checkpoints.log"));
    try (FileAuditStore store = FileAuditStore.open(dir)) {
      AuditException e = assertThrows(AuditException.class, () -> AuditLog.builder(ORIGIN, store).signer(signer)
          .chainKey(key).acceptUnsealedHistory(operator, "even accepted, a forged MAC is refused").build());
      assertTrue(e.getMessage().contains("MAC"), e.getMessage());
    }
  }

  @Test
  void moreUnsealedEventsThanACrashLeaves_areRefused_andReportedByTheVerifier() {
    InMemoryAuditStore store = new InMemoryAuditStore();
    try (AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).checkpointEvery(10, Duration.ofHours(1))
        .maxBatch(2).build()) {
      for (int i = 0; i < 5; i++) {
        log.append(TestEvents.event(i));
      }
    }
    // Someone with store access appends a plausible, chain-consistent history and no checkpoints.
    try (AuditLog unsigned = AuditLog.builder(ORIGIN, store).build()) {
      for (int i = 5; i < 105; i++) {
        unsigned.append(TestEvents.event(i));
      }
    }
    long bound = AuditLog.unsealedBound(10, 2);
    assertTrue(100 > bound);
    UnsealedHistoryException e = assertThrows(UnsealedHistoryException.class, () -> AuditLog.builder(ORIGIN, store)
        .signer(signer).checkpointEvery(10, Duration.ofHours(1)).maxBatch(2).build());
    assertEquals(5, e.sealedSize());
    VerificationReport r = AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).checkpointCadence(10, 2).build().verify(store);
    assertTrue(r.has(FindingCode.CHECKPOINTS_MISSING), r.summary());
    // Within what a crash can leave, a restart signs as before.
    InMemoryAuditStore crashed = new InMemoryAuditStore();
    try (AuditLog log = AuditLog.builder(ORIGIN, crashed).signer(signer).checkpointEvery(10, Duration.ofHours(1))
        .maxBatch(2).build()) {
      log.append(TestEvents.event(0));
    }
    try (AuditLog unsigned = AuditLog.builder(ORIGIN, crashed).build()) {
      for (int i = 1; i < 1 + bound; i++) {
        unsigned.append(TestEvents.event(i));
      }
    }
    AuditLog.builder(ORIGIN, crashed).signer(signer).checkpointEvery(10, Duration.ofHours(1)).maxBatch(2).build().close();
    VerificationReport ok = AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).checkpointCadence(10, 2).build().verify(crashed);
    assertTrue(ok.intact(), ok.summary());
  }
}
