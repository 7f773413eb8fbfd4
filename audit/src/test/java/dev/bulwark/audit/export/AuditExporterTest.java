package dev.bulwark.audit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditQuery;
import dev.bulwark.audit.Checkpoint;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.InMemoryAuditStore;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.Outcome;
import dev.bulwark.audit.ProofBundle;
import dev.bulwark.audit.SignedCheckpoint;
import dev.bulwark.common.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditExporterTest {

  static final String ORIGIN = "example.com/audit";
  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T00:00:00Z"));

  AuditLog log(InMemoryAuditStore store) {
    return AuditLog.builder(ORIGIN, store).clock(now::get).signer(signer)
        .checkpointEvery(10, Duration.ofHours(1)).build();
  }

  static void appendLogins(AuditLog log, int n, int from) {
    for (int i = from; i < from + n; i++) {
      log.append(AuditEvent.builder(Action.AUTHN_LOGIN_FAIL, Actor.user("u-" + (i % 13), "password"))
          .outcome(Outcome.FAILURE).reason("bad_password").detail("attempt", Integer.toString(i))
          .occurredAt(Instant.parse("2026-12-07T00:00:00Z").plusSeconds(i)).build(Instant::now));
    }
  }

  /** Collects lines; fails the configured batches. */
  static final class RecordingSink implements ExportSink {
    final List<Line> lines = new ArrayList<>();
    int failBatches;
    int calls;

    @Override
    public boolean deliver(List<Line> batch) throws IOException {
      calls++;
      if (failBatches > 0) {
        failBatches--;
        throw new IOException("receiver down");
      }
      lines.addAll(batch);
      return true;
    }
  }

  @Test
  void exportsOnlyCheckpointedEvents_eachWithAProofThatVerifiesOffline() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    RecordingSink sink = new RecordingSink();
    try (AuditLog log = log(store)) {
      appendLogins(log, 25, 0);
      log.checkpoint();
      appendLogins(log, 3, 25); // not covered yet
      waitForCheckpoints(store, 25);
      AuditExporter ex = AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF, sink).batchSize(7).build();
      assertEquals(25, ex.exportAvailable());
      assertEquals(25, ex.stats().next());
    }
    for (int i = 0; i < sink.lines.size(); i++) {
      String line = sink.lines.get(i).text();
      String proofText = SiemFormatGoldenTest.string(line, "bulwark.proof");
      assertNotNull(proofText, line);
      assertEquals(ProofBundle.parse(proofText).text(), proofText, "the exported proof is ProofBundle's own text");
      LoggedEvent verified = ProofBundle.parse(proofText).verify(List.of(signer.publicKey()));
      assertEquals(i, verified.seq());
      // The SIEM's copy is exactly what the verified event renders to.
      ExportedEvent again = new ExportedEvent(ORIGIN, verified, ProofBundle.parse(proofText));
      assertEquals(line, SiemFormat.OCSF.render(again));
    }
  }

  @Test
  void cefProof_isBase64OfTheProofBundle() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    RecordingSink sink = new RecordingSink();
    try (AuditLog log = log(store)) {
      appendLogins(log, 10, 0);
      waitForCheckpoints(store, 10);
      AuditExporter.builder(store, ORIGIN, SiemFormat.CEF, sink).build().exportAvailable();
    }
    assertEquals(10, sink.lines.size());
    String cef = sink.lines.get(3).text();
    String b64 = cef.substring(cef.indexOf("cs6=") + 4).replace("\\=", "="); // CEF escapes "=" in values
    ProofBundle p = ProofBundle.parse(new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8));
    assertEquals(3, p.verify(List.of(signer.publicKey())).seq());
  }

  @Test
  void sinkOutage_cursorStays_andTheNextAttemptResendsTheSameText() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    RecordingSink sink = new RecordingSink();
    try (AuditLog log = log(store)) {
      appendLogins(log, 30, 0);
      waitForCheckpoints(store, 30);
    }
    AuditExporter ex = AuditExporter.builder(store, ORIGIN, SiemFormat.ECS, sink).batchSize(10).build();
    assertEquals(10, ex.exportBatch());
    sink.failBatches = 2;
    assertThrows(ExportException.class, ex::exportBatch);
    assertThrows(ExportException.class, ex::exportBatch);
    assertEquals(10, ex.stats().next());
    assertEquals(2, ex.stats().failedAttempts());
    assertTrue(ex.stats().lastError().contains("[10, 20)"), ex.stats().lastError());
    assertEquals(20, ex.exportAvailable());
    assertEquals(30, sink.lines.size());
    for (int i = 0; i < 30; i++) {
      assertEquals(i, sink.lines.get(i).event().seq());
    }
  }

  @Test
  void crashBetweenDeliveryAndCommit_resumesFromTheFileCursor_duplicatesKeepTheirEventId(@TempDir Path dir)
      throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    try (AuditLog log = log(store)) {
      appendLogins(log, 40, 0);
      waitForCheckpoints(store, 40);
    }
    Path cursorFile = dir.resolve("export.cursor");
    Path out = dir.resolve("out.jsonl");
    // First run: the cursor file "crashes" on the second commit (after that batch was delivered).
    FileExportCursor real = FileExportCursor.open(cursorFile, ORIGIN, 0);
    ExportCursor crashing = new ExportCursor() {
      int commits;

      @Override
      public long next() {
        return real.next();
      }

      @Override
      public void commit(long next) throws IOException {
        if (++commits == 2) {
          throw new IOException("process killed");
        }
        real.commit(next);
      }
    };
    try (JsonLinesSink sink = JsonLinesSink.appendTo(out, true)) {
      AuditExporter ex = AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF, sink).cursor(crashing).batchSize(15).build();
      assertEquals(15, ex.exportBatch());
      assertThrows(ExportException.class, ex::exportBatch);
    }
    // Restart: a new exporter from the file.
    try (JsonLinesSink sink = JsonLinesSink.appendTo(out, true)) {
      FileExportCursor reopened = FileExportCursor.open(cursorFile, ORIGIN, 0);
      assertEquals(15, reopened.next());
      AuditExporter ex = AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF, sink).cursor(reopened).batchSize(15).build();
      assertEquals(25, ex.exportAvailable());
    }
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertEquals(55, lines.size(), "15 + 15 delivered before the crash (not committed) + 25 after");
    Map<String, String> byId = new HashMap<>();
    for (String l : lines) {
      String id = SiemFormatGoldenTest.string(l, "metadata.uid");
      String previous = byId.putIfAbsent(id, l);
      if (previous != null) {
        assertEquals(previous, l, "a duplicate is byte-for-byte the first copy");
      }
    }
    assertEquals(40, byId.size(), "every event arrived, none lost");
  }

  @Test
  void blockedSink_neverBlocksAppends() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<ExportSink.Line> got = java.util.Collections.synchronizedList(new ArrayList<>());
    ExportSink blocking = batch -> {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      got.addAll(batch);
      return true;
    };
    try (AuditLog log = log(store)) {
      appendLogins(log, 10, 0);
      waitForCheckpoints(store, 10);
      AuditExporter ex = AuditExporter.builder(store, ORIGIN, SiemFormat.ECS, blocking).polling(
          Duration.ofMillis(5), Duration.ofMillis(50)).build();
      ex.start();
      assertTrue(entered.await(30, TimeUnit.SECONDS));
      // The sink is stuck inside deliver: the login path keeps appending.
      appendLogins(log, 2_000, 10);
      assertEquals(2_010, log.size());
      release.countDown();
      log.checkpoint();
      waitForCheckpoints(store, 2_010);
      ex.wake();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (got.size() < 2_010 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      ex.close();
    }
    assertEquals(2_010, got.size());
  }

  @Test
  void lagBeyondTheHostsLimit_dropsTheOldest_countsThem_andAuditsTheDrop() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    RecordingSink sink = new RecordingSink();
    try (AuditLog log = log(store)) {
      appendLogins(log, 50, 0);
      waitForCheckpoints(store, 50);
      AuditExporter ex = AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF, sink).maxLag(20, log).clock(now::get).build();
      ex.exportAvailable();
      assertEquals(30, ex.stats().dropped());
      assertEquals(20, sink.lines.size());
      assertEquals(30, sink.lines.get(0).event().seq());
      // The notice is appended asynchronously so that a dropping exporter never waits on the log.
      List<LoggedEvent> notices = log.query(AuditQuery.ALL.action(Action.SYS_MONITOR_DISABLED)).toList();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (notices.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
        notices = log.query(AuditQuery.ALL.action(Action.SYS_MONITOR_DISABLED)).toList();
      }
      assertEquals(1, notices.size());
      Map<String, String> d = notices.get(0).event().details();
      assertEquals("0", d.get("from_seq"));
      assertEquals("30", d.get("to_seq"));
      assertEquals("siem_export_dropped", notices.get(0).event().reason());
    }
  }

  @Test
  void noDropsByDefault_theBacklogWaitsInTheLog() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    RecordingSink sink = new RecordingSink();
    try (AuditLog log = log(store)) {
      appendLogins(log, 50, 0);
      waitForCheckpoints(store, 50);
    }
    sink.failBatches = 5;
    AuditExporter ex = AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF, sink).batchSize(5).build();
    for (int i = 0; i < 5; i++) {
      assertThrows(ExportException.class, ex::exportBatch);
    }
    assertEquals(50, ex.exportAvailable());
    assertEquals(0, ex.stats().dropped());
  }

  @Test
  void checkpointThatContradictsTheStoredEvents_stopsTheExport() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    RecordingSink sink = new RecordingSink();
    try (AuditLog log = AuditLog.builder(ORIGIN, store).clock(now::get).build()) { // no signer: no checkpoints
      appendLogins(log, 12, 0);
    }
    Checkpoint forged = new Checkpoint(ORIGIN, 12, Bytes.of(new byte[32]), Bytes.of(new byte[32]), 0, now.get());
    store.putCheckpoint(SignedCheckpoint.sign(forged, List.of(signer)).note());
    AuditExporter ex = AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF, sink).build();
    ExportException e = assertThrows(ExportException.class, ex::exportBatch);
    assertTrue(e.getMessage().contains("do not match the signed checkpoint"), e.getMessage());
    assertEquals(0, ex.stats().next());
    assertTrue(sink.lines.isEmpty());
  }

  @Test
  void logWithoutSigner_exportsUncoveredEventsWithoutProof_whenAsked() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    RecordingSink sink = new RecordingSink();
    try (AuditLog log = AuditLog.builder(ORIGIN, store).clock(now::get).build()) {
      appendLogins(log, 12, 0);
    }
    assertEquals(0, AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF, sink).build().exportAvailable());
    assertEquals(12, AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF, sink).exportUncovered(true).build()
        .exportAvailable());
    assertNull(SiemFormatGoldenTest.string(sink.lines.get(0).text(), "bulwark.proof"));
  }

  @Test
  void fileCursor_refusesMalformedOrForeignFiles_andLeavesThemAlone(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c");
    Files.writeString(f, "bulwark-audit-export-cursor 1\norigin other.example/audit\nnext 5\n");
    assertThrows(IOException.class, () -> FileExportCursor.open(f, ORIGIN, 0));
    for (String bad : new String[] {"", "garbage", "bulwark-audit-export-cursor 1\norigin " + ORIGIN + "\nnext -1\n",
        "bulwark-audit-export-cursor 1\norigin " + ORIGIN + "\nnext 99999999999999999999\n",
        "bulwark-audit-export-cursor 1\norigin " + ORIGIN + "\nnext 5\nextra\n"}) {
      Files.writeString(f, bad);
      assertThrows(IOException.class, () -> FileExportCursor.open(f, ORIGIN, 0), bad);
      assertEquals(bad, Files.readString(f));
    }
    Files.delete(f);
    FileExportCursor c = FileExportCursor.open(f, ORIGIN, 3);
    assertEquals(3, c.next());
    c.commit(42);
    assertEquals(42, FileExportCursor.open(f, ORIGIN, 0).next());
  }

  @Test
  void jsonLinesFile_holdsExactlyTheRenderedLines_inUtf8_withNonAsciiText() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("export-utf8");
    java.nio.file.Path file = dir.resolve("out.jsonl");
    RecordingSink seen = new RecordingSink();
    try (AuditLog log = log(store)) {
      for (int i = 0; i < 12; i++) {
        log.append(AuditEvent.builder(Action.AUTHN_LOGIN_FAIL, Actor.user("jürgen-" + i, "password"))
            .outcome(Outcome.FAILURE).reason("bad_password").detail("city", "Zürich — 東京 \"q\" \\ 😀")
            .occurredAt(Instant.parse("2026-12-07T00:00:00Z").plusSeconds(i)).build(Instant::now));
      }
      waitForCheckpoints(store, 10);
      for (SiemFormat f : SiemFormat.values()) {
        java.nio.file.Files.deleteIfExists(file);
        try (JsonLinesSink sink = JsonLinesSink.appendTo(file, true)) {
          assertEquals(10, AuditExporter.builder(store, ORIGIN, f, sink).batchSize(4).build().exportAvailable());
        }
        seen.lines.clear();
        AuditExporter.builder(store, ORIGIN, f, seen).batchSize(3).build().exportAvailable();
        StringBuilder expected = new StringBuilder();
        for (ExportSink.Line l : seen.lines) {
          assertEquals(l.text(), f.render(l.event()), "the exporter's bytes are render()'s text");
          assertEquals(l.text().getBytes(StandardCharsets.UTF_8).length, l.utf8Length());
          expected.append(l.text()).append('\n');
        }
        assertEquals(expected.toString(), java.nio.file.Files.readString(file, StandardCharsets.UTF_8), f.name());
        // JSON keeps the text as UTF-8; CEF percent-encodes details but keeps the user name.
        assertTrue(expected.toString().contains(f == SiemFormat.CEF ? "suser=jürgen-3" : "Zürich — 東京"), f.name());
      }
    } finally {
      java.nio.file.Files.deleteIfExists(file);
      java.nio.file.Files.delete(dir);
    }
  }

  /** The checkpointer signs off the append path; wait until a checkpoint of at least {@code size} is stored. */
  static void waitForCheckpoints(InMemoryAuditStore store, long size) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (String note : store.checkpoints()) {
        if (SignedCheckpoint.parse(note).checkpoint().size() >= size) {
          return;
        }
      }
      Thread.sleep(2);
    }
    throw new AssertionError("no checkpoint of size " + size);
  }
}
