package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.SegmentFrames.Frame;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.testing.Seeds;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that appends from 8 threads with kill -9 (destroyForcibly) at random points,
 * many times, and proves that every acknowledged event survives, a torn tail is recovered and
 * logged, and the log verifies.
 *
 * <p>kill -9 alone rarely tears a frame (a write() that started completes in the kernel), so on
 * two rounds out of three the test then simulates a power loss, which drops page-cache data that
 * was never fsynced: it cuts the last segment at a random byte after the end of the last
 * acknowledged (fsynced) event, on half of those rounds appends random bytes as a disk might
 * leave behind, and drops the checkpoints that could not have been durable either. Finally it
 * cuts a copy of the log inside acknowledged data, which must be reported as truncation and
 * never silently repaired.
 */
class CrashIT {

  static final String ORIGIN = "crash.example/audit";

  private enum Fault { KILL, POWER_LOSS, POWER_LOSS_WITH_GARBAGE }

  @TempDir Path tmp;

  @Test
  void killNineAndPowerLoss_atRandomPoints_loseNoAcknowledgedEvent() throws Exception {
    Path dir = tmp.resolve("log");
    ChildKeys keys = ChildKeys.create(tmp.resolve("keys"));
    CheckpointKey publicKey = keys.publicKey(ORIGIN);
    AuditVerifier verifier = AuditVerifier.builder(ORIGIN).trust(publicKey).chainKey(keys.chainKey()).build();

    long seed = Long.getLong("crash.seed", Seeds.forTry(Seeds.seed(), "CrashIT", 0));
    Random random = new Random(seed);
    Set<Long> acked = new HashSet<>();
    int rounds = Integer.getInteger("crash.rounds", 15);
    int tornSeen = 0;
    int recoveriesAfterPowerLoss = 0;
    for (int round = 0; round < rounds; round++) {
      Fault fault = Fault.values()[round % 3];
      String where = "round " + round + " (" + fault + ", -Dcrash.seed=" + seed + ")";
      runAndKill(dir, tmp.resolve("keys"), 1 + random.nextInt(2000), acked);
      try (FileAuditStore ro = FileAuditStore.openReadOnly(dir)) {
        VerificationReport rep = verifier.verify(ro);
        assertTrue(rep.intact(), where + ": " + rep.summary());
        assertPresent(ro, acked, where);
        tornSeen += rep.has(FindingCode.TORN_TAIL) ? 1 : 0;
      }
      if (fault == Fault.KILL) {
        continue;
      }

      PowerLoss loss = simulatePowerLoss(dir, acked, random, fault == Fault.POWER_LOSS_WITH_GARBAGE);
      where += ", " + loss;
      long recoveredBefore;
      try (FileAuditStore ro = FileAuditStore.openReadOnly(dir)) {
        VerificationReport rep = verifier.verify(ro);
        if (loss.tornCheckpoints) {
          // Until a writer reopens the log, the read-only verifier reports a torn last checkpoint
          // frame as malformed (an ERROR) and says it may be a torn write; nothing else may be wrong.
          assertTrue(rep.findings().stream().filter(f -> f.code().level() == FindingCode.Level.ERROR).allMatch(
              f -> f.code() == FindingCode.MALFORMED_CHECKPOINT && f.message().contains("possibly a torn write")),
              where + ": " + rep.summary());
        } else {
          assertTrue(rep.intact(), where + ": a torn tail is a crash, not tampering: " + rep.summary());
        }
        assertEquals(loss.tornSegment, rep.has(FindingCode.TORN_TAIL), where + ": " + rep.summary());
        assertPresent(ro, acked, where);
        recoveredBefore = count(rep, FindingCode.TORN_TAIL_RECOVERED);
      }
      // Reopen for writing, as the application does after the power comes back.
      List<String> recoveries;
      try (FileAuditStore store = FileAuditStore.open(dir)) {
        recoveries = store.recoveries();
        assertEquals(loss.tornSegment, recoveries.stream().anyMatch(n -> n.startsWith("torn tail of seg-")), where + ": " + recoveries);
        assertEquals(loss.tornCheckpoints, recoveries.stream().anyMatch(n -> n.startsWith("torn tail of checkpoints.log")),
            where + ": " + recoveries);
        assertEquals(loss.survivingSize, store.head().nextSeq(), where);
        AuditLog log = AuditLog.builder(ORIGIN, store).signer(keys.signer(ORIGIN)).chainKey(keys.chainKey()).build();
        log.close();
      }
      recoveriesAfterPowerLoss += recoveries.size();
      try (FileAuditStore ro = FileAuditStore.openReadOnly(dir)) {
        VerificationReport rep = verifier.verify(ro);
        assertTrue(rep.intact(), where + ": " + rep.summary());
        assertFalse(rep.has(FindingCode.TORN_TAIL), where + ": " + rep.summary());
        assertFalse(rep.has(FindingCode.UNSEALED_TAIL), where + ": " + rep.summary());
        assertEquals(recoveredBefore + recoveries.size(), count(rep, FindingCode.TORN_TAIL_RECOVERED),
            where + ": every recovery is logged as an audit_log_recovered event: " + rep.summary());
        List<String> notes = recoveryNotes(ro);
        assertEquals(recoveries, notes.subList(notes.size() - recoveries.size(), notes.size()), where);
        assertPresent(ro, acked, where);
      }
    }

    // Reopen once more for writing: a torn tail is recovered and logged; then the whole log verifies.
    try (FileAuditStore store = FileAuditStore.open(dir);
        AuditLog log = AuditLog.builder(ORIGIN, store).signer(keys.signer(ORIGIN)).chainKey(keys.chainKey()).build()) {
      // Acknowledged like the child's events; close checkpoints it, so the last segment always holds
      // an acknowledged, checkpointed event even when the child's last segment was sealed at 5,000.
      acked.add(log.append(AuditEvent.builder(Action.SYS_STARTUP, Actor.system("crash-it")).build(Clock.systemUTC())).seq());
    }
    try (FileAuditStore ro = FileAuditStore.openReadOnly(dir)) {
      VerificationReport rep = verifier.verify(ro);
      assertTrue(rep.intact(), rep.summary());
      assertFalse(rep.has(FindingCode.TORN_TAIL), rep.summary());
      assertFalse(rep.has(FindingCode.UNSEALED_TAIL), rep.summary());
      assertPresent(ro, acked, "after the last reopen");
      if (tornSeen > 0 || recoveriesAfterPowerLoss > 0) {
        assertTrue(rep.has(FindingCode.TORN_TAIL_RECOVERED), rep.summary());
      }
      System.out.printf("CrashIT: %d rounds, %d acknowledged events, %d stored, %d torn tails after kill -9,"
          + " %d recoveries after power loss (seed %d)%n", rounds, acked.size(), present(ro).size(), tornSeen, recoveriesAfterPowerLoss, seed);
    }

    cutInsideAcknowledgedData_isReportedAsTruncation(dir, acked, random, verifier, keys, seed);
  }

  /**
   * Cuts a copy of the log inside a checkpointed, acknowledged event: that is not a crash (the
   * event was fsynced), so the verifier must report it, and the writer must neither hide it nor
   * sign a history that contradicts the checkpoint it signed before.
   */
  private void cutInsideAcknowledgedData_isReportedAsTruncation(Path dir, Set<Long> acked, Random random,
      AuditVerifier verifier, ChildKeys keys, long seed) throws IOException {
    Path copy = tmp.resolve("cut-copy");
    copyDirectory(dir, copy);
    Map.Entry<Long, Path> last = SegmentFrames.segments(copy).lastEntry();
    List<Frame> frames = SegmentFrames.frames(last.getValue(), SegmentFrames.EVENT_MAGIC);
    long checkpointed = lastCheckpointSize(copy);
    List<Frame> candidates = frames.stream().filter(f -> acked.contains(f.seq()) && f.seq() < checkpointed)
        .collect(Collectors.toList());
    assertFalse(candidates.isEmpty(), "the last segment holds acknowledged, checkpointed events (-Dcrash.seed=" + seed + ")");
    Frame victim = candidates.get(random.nextInt(candidates.size()));
    long cut = victim.offset() + random.nextInt(victim.length());
    truncate(last.getValue(), cut);
    String where = "cut at byte " + cut + " inside acknowledged seq " + victim.seq() + " (checkpoint size " + checkpointed
        + ", -Dcrash.seed=" + seed + ")";

    try (FileAuditStore ro = FileAuditStore.openReadOnly(copy)) {
      VerificationReport rep = verifier.verify(ro);
      assertFalse(rep.intact(), where + ": " + rep.summary());
      assertTrue(rep.has(FindingCode.TRUNCATED), where + ": " + rep.summary());
    }
    try (FileAuditStore store = FileAuditStore.open(copy)) {
      AuditException refused = assertThrows(AuditException.class,
          () -> AuditLog.builder(ORIGIN, store).signer(keys.signer(ORIGIN)).chainKey(keys.chainKey()).build(), where);
      assertTrue(refused.getMessage().contains("checkpoint"), refused.getMessage());
    }
    try (FileAuditStore ro = FileAuditStore.openReadOnly(copy)) {
      VerificationReport rep = verifier.verify(ro);
      assertFalse(rep.intact(), where + ": " + rep.summary());
      assertTrue(rep.has(FindingCode.TRUNCATED), where + ": still reported after the writer refused: " + rep.summary());
    }
  }

  /** Runs the child until it has acknowledged {@code killAfter} appends (or died), then kill -9. */
  private static void runAndKill(Path dir, Path keys, int killAfter, Set<Long> acked) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(javaBin, "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"),
        CrashChild.class.getName(), dir.toString(), "8", keys.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line = r.readLine();
      assertTrue(line != null && line.startsWith("READY"), "child did not start: " + line);
      int seen = 0;
      while (seen < killAfter && (line = r.readLine()) != null) {
        acked.add(Long.parseLong(line.trim()));
        seen++;
      }
      p.destroyForcibly(); // kill -9: acknowledged lines not yet read are simply not counted
    } finally {
      p.destroyForcibly();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    }
  }

  /** What a simulated power loss did to the files. */
  private record PowerLoss(long segmentCut, int garbageBytes, boolean tornSegment, boolean tornCheckpoints, long survivingSize) {
    @Override
    public String toString() {
      return "power loss: last segment cut at " + segmentCut + " + " + garbageBytes + " garbage bytes, torn segment "
          + tornSegment + ", torn checkpoints " + tornCheckpoints + ", " + survivingSize + " events survive";
    }
  }

  /**
   * Drops what a power loss can drop: any byte of the last segment after the last acknowledged
   * event (optionally followed by garbage a disk might hold there), and every checkpoint that
   * covers an event that did not survive (it was written after those events, so it cannot have
   * been durable), possibly leaving a torn checkpoint frame behind.
   */
  private static PowerLoss simulatePowerLoss(Path dir, Set<Long> acked, Random random, boolean garbage) throws IOException {
    Map.Entry<Long, Path> last = SegmentFrames.segments(dir).lastEntry();
    Path segment = last.getValue();
    List<Frame> frames = SegmentFrames.frames(segment, SegmentFrames.EVENT_MAGIC);
    long maxAcked = acked.stream().mapToLong(Long::longValue).max().orElse(-1);
    long durableEnd = 0;
    for (Frame f : frames) {
      if (f.seq() <= maxAcked) {
        durableEnd = f.end();
      }
    }
    long size = Files.size(segment);
    long cut;
    if (garbage && random.nextBoolean()) {
      // A whole unsynced batch lost and the disk returning stale blocks after the last durable frame.
      List<Long> boundaries = new ArrayList<>(List.of(durableEnd));
      for (Frame f : frames) {
        if (f.offset() > durableEnd) {
          boundaries.add(f.offset());
        }
      }
      cut = boundaries.get(random.nextInt(boundaries.size()));
    } else {
      cut = Math.min(size, durableEnd + (long) (random.nextDouble() * (size - durableEnd + 1)));
    }
    truncate(segment, cut);
    Set<Long> frameStarts = new HashSet<>();
    long surviving = last.getKey();
    for (Frame f : frames) {
      frameStarts.add(f.offset());
      if (f.end() <= cut) {
        surviving = f.seq() + 1;
      }
    }
    long lastFrameEnd = frames.isEmpty() ? 0 : frames.get(frames.size() - 1).end();
    boolean torn = cut > 0 && !frameStarts.contains(cut) && cut != lastFrameEnd;
    int garbageBytes = 0;
    if (garbage) {
      byte[] junk = new byte[1 + random.nextInt(4096)];
      random.nextBytes(junk);
      Files.write(segment, junk, StandardOpenOption.APPEND);
      garbageBytes = junk.length;
      torn = true;
    }

    Path checkpoints = dir.resolve("checkpoints.log");
    boolean tornCheckpoints = false;
    for (Frame f : SegmentFrames.frames(checkpoints, SegmentFrames.CHECKPOINT_MAGIC)) {
      if (f.checkpointSize() > surviving) {
        long at = f.offset() + (random.nextBoolean() ? 0 : 1 + random.nextInt(f.length() - 1));
        truncate(checkpoints, at);
        tornCheckpoints = at > f.offset();
        break;
      }
    }
    return new PowerLoss(cut, garbageBytes, torn, tornCheckpoints, surviving);
  }

  private static long lastCheckpointSize(Path dir) {
    List<Frame> cps = SegmentFrames.frames(dir.resolve("checkpoints.log"), SegmentFrames.CHECKPOINT_MAGIC);
    return cps.stream().mapToLong(Frame::checkpointSize).max().orElse(0);
  }

  private static long count(VerificationReport rep, FindingCode code) {
    return rep.findings().stream().filter(f -> f.code() == code).count();
  }

  private static void truncate(Path file, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size);
    }
  }

  private static void copyDirectory(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
  }

  private static void assertPresent(FileAuditStore store, Set<Long> acked, String where) {
    Set<Long> present = present(store);
    for (long s : acked) {
      assertTrue(present.contains(s), "acknowledged event " + s + " lost in " + where);
    }
  }

  private static Set<Long> present(FileAuditStore store) {
    try (Stream<StoredEvent> s = store.read(0)) {
      return s.filter(e -> !e.isDamaged()).map(StoredEvent::seq).collect(Collectors.toCollection(HashSet::new));
    }
  }

  /** The "recovery" detail of every audit_log_recovered event, in log order. */
  private static List<String> recoveryNotes(FileAuditStore store) {
    List<String> out = new ArrayList<>();
    TreeMap<Long, String> bySeq = new TreeMap<>();
    try (Stream<StoredEvent> s = store.read(0)) {
      for (StoredEvent e : (Iterable<StoredEvent>) s::iterator) {
        if (e.isDamaged() && e.damage().startsWith("quarantined bytes")) {
          continue; // a torn tail an earlier open kept aside
        }
        try {
          LoggedEvent le = CanonicalEncoding.decode(e.payload());
          if (le.event().action().equals(Action.AUDIT_LOG_RECOVERED)) {
            bySeq.put(le.seq(), le.event().details().get("recovery"));
          }
        } catch (AuditFormatException ex) {
          throw new AssertionError("undecodable event at " + e.location(), ex);
        }
      }
    }
    out.addAll(bySeq.values());
    return out;
  }
}
