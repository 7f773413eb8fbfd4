package dev.bulwark.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.lifecycle.spi.HostRecords;
import dev.bulwark.testing.LogCapture;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** Lifecycle events that cannot be recorded are heard, counted, redelivered, and can stop a purge. */
class LifecycleEventGuardTest {

  private static final DataClass DOC = DataClass.of("doc");
  private static final Attribution ALICE = Attribution.of("alice", "user request");

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T12:00:00Z"));
  private final InMemoryHostRecords records = HostRecords.inMemory(DOC);
  private final LifecycleStore store = LifecycleStore.inMemory(records);

  private Lifecycle lifecycle(dev.bulwark.lifecycle.spi.LifecycleListener listener) {
    return Lifecycle.builder(store).policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(DOC, Period.ofDays(90))))
        .clock(now::get).listener(listener).build();
  }

  private RecordRef doc(int i) {
    RecordRef r = RecordRef.of(DOC, "d" + i);
    records.insert(r, Optional.of("s" + i), Optional.of("t"));
    return r;
  }

  @Test
  void plainListenerThatThrows_isLogged_notSwallowed() throws Exception {
    try (LogCapture log = LogCapture.of("dev.bulwark.lifecycle")) {
      lifecycle(e -> {
        throw new java.io.IOException("audit down");
      }).softDelete(List.of(doc(1)), ALICE);
      List<LogRecord> logged = log.records();
      assertEquals(1, logged.size());
      assertTrue(logged.get(0).getMessage().contains("lifecycle_soft_deleted"), logged.get(0).getMessage());
      assertTrue(store.find(RecordRef.of(DOC, "d1")).orElseThrow().deleted(), "the committed change stands");
    }
  }

  @Test
  void failOpenGuard_countsAndKeepsEvidencePending_forTheNextRun() throws Exception {
    boolean[] down = {true};
    List<String> received = new CopyOnWriteArrayList<>();
    List<String> fallback = new CopyOnWriteArrayList<>();
    LifecycleEventGuard guard = LifecycleEventGuard.builder(e -> {
      if (down[0]) {
        throw new IllegalStateException("audit down");
      }
      received.add(e.name());
    }).fallback((e, f) -> fallback.add(e.name())).build();
    Lifecycle lifecycle = lifecycle(guard);
    lifecycle.softDelete(List.of(doc(1)), ALICE);
    now.updateAndGet(t -> t.plus(Duration.ofDays(31)));
    assertEquals(1, lifecycle.purgeRunner().run().total(), "fail-open: the purge goes on");
    assertTrue(fallback.contains("lifecycle_records_purged"), fallback.toString());
    assertEquals(fallback.size(), guard.failures());
    down[0] = false;
    now.updateAndGet(t -> t.plus(Duration.ofMinutes(1)));
    lifecycle.purgeRunner().run();
    assertTrue(received.contains("lifecycle_records_purged"), "the evidence was delivered again: " + received);
  }

  @Test
  void failClosedGuard_stopsThePurge_beforeItDeletesMore() throws Exception {
    boolean[] down = {false};
    LifecycleEventGuard guard = LifecycleEventGuard.builder(e -> {
      if (down[0] && e.evidence().isPresent()) {
        throw new IllegalStateException("audit down");
      }
    }).fallback((e, f) -> { }).failClosed(true).build();
    Lifecycle lifecycle = Lifecycle.builder(store)
        .policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(DOC, Period.ofDays(90))))
        .clock(now::get).listener(guard).batchSize(1).build();
    List<RecordRef> docs = List.of(doc(1), doc(2), doc(3));
    lifecycle.softDelete(docs, ALICE);
    now.updateAndGet(t -> t.plus(Duration.ofDays(31)));
    down[0] = true;
    assertThrows(LifecycleEventNotRecordedException.class,
        () -> PurgeRunner.builder(lifecycle).firstRunLimit(100).build().run());
    assertEquals(2, store.countDue(DOC, now.get()), "one batch committed, then the purge stopped");
    assertTrue(guard.failures() >= 1);
  }

  @Test
  void names_andAuditDetails_useTheSharedVocabularyAndKeySyntax() throws Exception {
    List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
    Lifecycle lifecycle = lifecycle(events::add);
    lifecycle.softDelete(List.of(doc(1)), ALICE);
    now.updateAndGet(t -> t.plus(Duration.ofDays(31)));
    lifecycle.purgeRunner().run();
    for (LifecycleEvent e : events) {
      assertTrue(e.name().matches("lifecycle_[a-z_]+"), e.name());
      for (String key : e.auditDetails().keySet()) {
        assertTrue(key.matches("[a-z][a-z0-9_.-]{0,63}"), e.name() + ": " + key);
      }
    }
    LifecycleEvent purged = events.stream().filter(e -> e.type() == LifecycleEvent.Type.RECORDS_PURGED)
        .findFirst().orElseThrow();
    assertEquals("1", purged.auditDetails().get("records"));
    assertEquals("PURGED", purged.auditDetails().get("evidence_kind"));
    assertEquals("doc", purged.auditDetails().get("data_class"));
  }
}
