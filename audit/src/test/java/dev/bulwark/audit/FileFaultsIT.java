package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.ChildProcess.Ack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk or a failing disk under the file store, with many threads appending: every failed
 * append fails loudly and leaves no trace, every acknowledged one is stored exactly once, the
 * next append continues the chain, and the log verifies. The full disk is real in one test: a
 * child JVM runs under {@code ulimit -f}, so the kernel itself cuts the segment's growth short
 * (EFBIG after a partial write), exactly as ENOSPC would.
 */
class FileFaultsIT {

  static final String ORIGIN = "faults.example/audit";
  static final long TIMEOUT_SECONDS = 300;

  @TempDir Path tmp;
  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  final ChainKey chainKey = ChainKey.generate();

  private Path logDir() {
    return tmp.resolve("log");
  }

  private DirectoryAnchor anchor() {
    return new DirectoryAnchor(tmp.resolve("anchor"));
  }

  private AuditLog.Builder builder(FileAuditStore store) {
    return AuditLog.builder(ORIGIN, store).signer(signer).chainKey(chainKey).anchor(anchor())
        .segments(150, Duration.ofDays(1)).checkpointEvery(25, Duration.ofSeconds(1));
  }

  private VerificationReport verify(Path dir, String origin, CheckpointKey key, ChainKey chain) {
    try (FileAuditStore ro = FileAuditStore.openReadOnly(dir)) {
      return AuditVerifier.builder(origin).trust(key).chainKey(chain).anchor(anchor()).build().verify(ro);
    }
  }

  private static void assertExactlyTheAcknowledged(Path dir, Map<String, Long> acked, Set<String> failed) {
    try (FileAuditStore ro = FileAuditStore.openReadOnly(dir)) {
      Producers.assertExactlyTheAcknowledged(ro, acked, failed);
    }
  }

  private void assertIntactWithoutDamage(VerificationReport r) {
    assertTrue(r.intact(), r.summary());
    assertFalse(r.has(FindingCode.TORN_TAIL), r.summary());
    assertFalse(r.has(FindingCode.MODIFIED), r.summary());
  }

  /** Reopens without faults, appends once more and proves the chain continued and everything verifies. */
  private void assertTheNextWriterContinues(long expectedSize) {
    try (FileAuditStore store = FileAuditStore.open(logDir()); AuditLog log = builder(store).build()) {
      assertEquals(expectedSize, log.size());
      assertEquals(expectedSize, log.append(TestEvents.event(1)).seq());
    }
    VerificationReport r = verify(logDir(), ORIGIN, signer.publicKey(), chainKey);
    assertTrue(r.fullyVerified(), r.summary());
    assertEquals(expectedSize + 1, r.size());
  }

  @Test
  void failedWrites_underManyThreads_failTheirAppendsLoudly_leaveNoTrace_andTheChainContinues() throws Exception {
    FlakyChannel.Plan plan = new FlakyChannel.Plan();
    Producers.Results o;
    long size;
    try (FileAuditStore store = FileAuditStore.open(logDir(), plan::wrap)) {
      AuditLog log = builder(store).build();
      plan.writeEvery = 5; // a fifth of all writes (event batches, checkpoints) write a part, then ENOSPC
      o = Producers.appendFromThreads(log, 8, 100);
      plan.writeEvery = 1; // and the very last write fails too: nothing may overwrite its partial frame later
      AuditException last = assertThrows(AuditException.class, () -> log.append(TestEvents.event(0)));
      assertTrue(last.getMessage().contains("No space left on device"), last.getMessage());
      plan.writeEvery = 0;
      size = log.size();
      log.close();
    }
    System.out.printf("FileFaultsIT: %d of %d writes failed; %d appends acknowledged, %d failed%n",
        plan.failedWrites.get(), plan.writes.get(), o.acked().size(), o.failed().size());
    assertTrue(plan.failedWrites.get() > 0 && !o.failed().isEmpty(), "faults were injected");
    assertFalse(o.acked().isEmpty());
    assertTrue(o.errors().stream().allMatch(m -> m.contains("No space left on device")), o.errors().toString());
    VerificationReport r = verify(logDir(), ORIGIN, signer.publicKey(), chainKey);
    assertIntactWithoutDamage(r);
    assertEquals(size, r.size());
    assertExactlyTheAcknowledged(logDir(), o.acked(), o.failed());
    assertTheNextWriterContinues(size);
  }

  @Test
  void failedFsyncs_underManyThreads_failTheirAppendsLoudly_leaveNoTrace_andTheChainContinues() throws Exception {
    FlakyChannel.Plan plan = new FlakyChannel.Plan();
    Producers.Results o;
    long size;
    try (FileAuditStore store = FileAuditStore.open(logDir(), plan::wrap)) {
      AuditLog log = builder(store).build();
      plan.forceEvery = 4; // every fourth fsync (batches, checkpoints, segment seals) reports EIO
      o = Producers.appendFromThreads(log, 8, 100);
      plan.forceEvery = 0;
      size = log.size();
      log.close();
    }
    System.out.printf("FileFaultsIT: %d of %d fsyncs failed; %d appends acknowledged, %d failed%n",
        plan.failedForces.get(), plan.forces.get(), o.acked().size(), o.failed().size());
    assertTrue(plan.failedForces.get() > 0 && !o.failed().isEmpty(), "faults were injected");
    assertFalse(o.acked().isEmpty());
    assertTrue(o.errors().stream().allMatch(m -> m.contains("Input/output error")), o.errors().toString());
    VerificationReport r = verify(logDir(), ORIGIN, signer.publicKey(), chainKey);
    assertIntactWithoutDamage(r);
    assertEquals(size, r.size());
    assertExactlyTheAcknowledged(logDir(), o.acked(), o.failed());
    assertTheNextWriterContinues(size);
  }

  @Test
  void aFailedWriteThatCannotBeUndone_stopsTheStore_untilReopeningRecoversTheTornTail() {
    FlakyChannel.Plan plan = new FlakyChannel.Plan();
    try (FileAuditStore store = FileAuditStore.open(logDir(), plan::wrap)) {
      AuditLog log = builder(store).build();
      for (int i = 0; i < 20; i++) {
        assertEquals(i, log.append(TestEvents.event(i)).seq());
      }
      plan.writeEvery = 1;
      plan.failTruncate = true; // the partial frame cannot be cut back
      AuditException full = assertThrows(AuditException.class, () -> log.append(TestEvents.event(20)));
      assertTrue(full.getMessage().contains("No space left on device"), full.getMessage());
      plan.writeEvery = 0;
      plan.failTruncate = false;
      AuditException refused = assertThrows(AuditException.class, () -> log.append(TestEvents.event(21)));
      assertTrue(refused.getMessage().contains("reopen the store"), refused.getMessage());
    }
    VerificationReport torn = verify(logDir(), ORIGIN, signer.publicKey(), chainKey);
    assertTrue(torn.intact(), torn.summary());
    assertTrue(torn.has(FindingCode.TORN_TAIL), "the partial frame is still there: " + torn.summary());
    assertEquals(20, torn.size());
    try (FileAuditStore store = FileAuditStore.open(logDir())) {
      assertEquals(1, store.recoveries().size(), store.recoveries().toString());
      try (AuditLog log = builder(store).build()) {
        assertEquals(21, log.append(TestEvents.event(22)).seq(), "seq 20 is the logged recovery");
      }
    }
    VerificationReport r = verify(logDir(), ORIGIN, signer.publicKey(), chainKey);
    assertTrue(r.fullyVerified(), r.summary());
    assertTrue(r.has(FindingCode.TORN_TAIL_RECOVERED), r.summary());
    assertEquals(22, r.size());
  }

  @Test
  void aRealFileSizeLimit_failsAppendsInTheKernel_andTheLogStaysValid() throws Exception {
    Path keysDir = tmp.resolve("keys");
    ChildKeys keys = ChildKeys.create(keysDir);
    String origin = FileLimitChild.ORIGIN;
    long limitKiB = 64;
    ChildProcess child = ChildProcess.start("limit", FileLimitChild.class,
        List.of(logDir().toString(), keysDir.toString(), tmp.resolve("anchor").toString(), "6"), limitKiB);
    long size;
    try {
      assertEquals(0, child.awaitReady(TIMEOUT_SECONDS));
      child.send("GO");
      size = child.awaitDone(TIMEOUT_SECONDS);
    } finally {
      child.close();
    }
    System.out.printf("FileFaultsIT: under ulimit -f %d, %d appends acknowledged, %d failed%n",
        limitKiB, child.ackCount(), child.failures().size());
    assertEquals(6 * 3, child.failures().size(), "every thread saw three failed appends: " + child.failures());
    assertTrue(child.failures().stream().allMatch(f -> f.contains("File too large")), child.failures().toString());
    assertTrue(child.ackCount() > 0);
    for (Path p : SegmentFrames.segments(logDir()).values()) {
      assertTrue(Files.size(p) <= limitKiB * 1024, p + " grew past the limit");
    }

    VerificationReport r = verify(logDir(), origin, keys.publicKey(origin), keys.chainKey());
    assertTrue(r.fullyVerified(), r.summary());
    assertFalse(r.has(FindingCode.TORN_TAIL), "failed writes were cut back: " + r.summary());
    assertEquals(size, r.size());
    Map<String, Long> acked = new HashMap<>();
    Set<String> failed = new HashSet<>();
    for (Ack a : child.acks()) {
      acked.put("limit-t" + a.thread() + "#" + a.i(), a.seq());
    }
    for (String f : child.failures()) {
      String[] parts = f.split(" ", 4);
      failed.add("limit-t" + parts[1] + "#" + parts[2]);
    }
    assertExactlyTheAcknowledged(logDir(), acked, failed);

    // Space is back (no limit in this JVM): the chain continues where the durable log ends.
    try (FileAuditStore store = FileAuditStore.open(logDir());
        AuditLog log = AuditLog.builder(origin, store).signer(keys.signer(origin)).chainKey(keys.chainKey()).anchor(anchor())
            .build()) {
      assertEquals(size, log.append(TestEvents.event(1)).seq());
    }
    VerificationReport after = verify(logDir(), origin, keys.publicKey(origin), keys.chainKey());
    assertTrue(after.fullyVerified(), after.summary());
    assertEquals(size + 1, after.size());
  }
}
