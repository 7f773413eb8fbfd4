package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rolling a file log back to an older copy, the way it happens: the whole log directory is
 * restored from a backup (segments, checkpoints, base file and all) and the application starts
 * again. The anchored checkpoint, kept outside the directory, must expose it, and the restarted
 * writer must not launder it by growing the restored log past the anchored size and anchoring a
 * checkpoint that contradicts the one anchored before.
 */
class FileRollbackIT {

  static final String ORIGIN = "rollback.example/audit";

  @TempDir Path tmp;
  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  final ChainKey chainKey = ChainKey.generate();

  private Path logDir() {
    return tmp.resolve("log");
  }

  private DirectoryAnchor anchor() {
    return new DirectoryAnchor(tmp.resolve("anchor"));
  }

  private AuditLog open(FileAuditStore store) {
    return AuditLog.builder(ORIGIN, store).signer(signer).chainKey(chainKey).anchor(anchor())
        .segments(15, Duration.ofDays(1)).build();
  }

  private void append(int from, int to) {
    try (FileAuditStore store = FileAuditStore.open(logDir()); AuditLog log = open(store)) {
      for (int i = from; i < to; i++) {
        log.append(TestEvents.event(i));
      }
    }
  }

  private VerificationReport verify(boolean anchored) {
    AuditVerifier.Builder v = AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).chainKey(chainKey);
    if (anchored) {
      v.anchor(anchor());
    }
    try (FileAuditStore ro = FileAuditStore.openReadOnly(logDir())) {
      return v.build().verify(ro);
    }
  }

  @Test
  void restoringAnOlderCopyOfTheDirectory_isCaughtByTheAnchor_andTheWriterRefusesToBuildOnIt() throws IOException {
    append(0, 40);
    Path backup = tmp.resolve("backup");
    copyDirectory(logDir(), backup);
    append(40, 70);
    assertTrue(verify(true).fullyVerified(), verify(true).summary());

    deleteDirectory(logDir());
    copyDirectory(backup, logDir());

    VerificationReport r = verify(true);
    assertFalse(r.intact(), r.summary());
    assertTrue(r.has(FindingCode.ROLLBACK), r.summary());
    VerificationReport blind = verify(false);
    assertTrue(blind.intact(), "without the anchor the copy looks fine: " + blind.summary());
    assertTrue(blind.notChecked().stream().anyMatch(n -> n.contains("rollback")), blind.summary());

    // The application restarts on the restored copy.
    try (FileAuditStore store = FileAuditStore.open(logDir())) {
      AuditException e = assertThrows(AuditException.class, () -> open(store));
      assertTrue(e.getMessage().contains("anchored"), e.getMessage());
    }
    VerificationReport after = verify(true);
    assertTrue(after.has(FindingCode.ROLLBACK), "still reported: " + after.summary());
    assertEquals(40, after.size());
  }

  @Test
  void aRestoredCopyGrownPastTheAnchoredSize_isStillARollback() throws IOException {
    append(0, 40);
    Path backup = tmp.resolve("backup");
    copyDirectory(logDir(), backup);
    append(40, 70);
    deleteDirectory(logDir());
    copyDirectory(backup, logDir());
    // Someone regrows the restored copy without the anchor (say, a writer configured without it).
    try (FileAuditStore store = FileAuditStore.open(logDir());
        AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).chainKey(chainKey).build()) {
      for (int i = 100; i < 150; i++) {
        log.append(TestEvents.event(i));
      }
    }
    VerificationReport r = verify(true);
    assertFalse(r.intact(), r.summary());
    assertTrue(r.has(FindingCode.ROLLBACK), "the stored history diverges from the anchored checkpoint: " + r.summary());
  }

  static void copyDirectory(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
  }

  static void deleteDirectory(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
