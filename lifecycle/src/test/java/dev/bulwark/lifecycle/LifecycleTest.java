package dev.bulwark.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.lifecycle.spi.ExpiryHandler;
import dev.bulwark.lifecycle.spi.HostRecords;
import dev.bulwark.lifecycle.spi.SoftDeletion;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  private static final DataClass DOC = DataClass.of("doc");
  private static final Attribution ALICE = Attribution.of("alice", "user request");
  private static final Attribution OPS = Attribution.of("ops", "INC-1");

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T12:00:00Z"));
  private final InMemoryHostRecords records = HostRecords.inMemory(DOC);
  private final LifecycleStore store = LifecycleStore.inMemory(records);
  private final List<LifecycleEvent> events = new ArrayList<>();
  private final Lifecycle lifecycle = Lifecycle.builder(store)
      .policies(RetentionPolicies.defaultsWith(RetentionPolicy.purgeAfter(DOC, Period.ofDays(90))))
      .clock(now::get).listener(events::add).build();

  private RecordRef doc(int i) {
    RecordRef r = RecordRef.of(DOC, "d" + i);
    records.insert(r, Optional.of("s" + i), Optional.of("t"));
    return r;
  }

  private void advance(Duration d) {
    now.updateAndGet(t -> t.plus(d));
  }

  private List<LifecycleEvent.Type> types() {
    return events.stream().map(LifecycleEvent::type).toList();
  }

  @Test
  void build_withoutPolicyForStoreClass_fails() throws Exception {
    assertThrows(UnknownDataClassException.class, () -> Lifecycle.builder(store).build());
  }

  @Test
  void build_anonymisePolicyWithoutHandler_fails() throws Exception {
    RetentionPolicies p = RetentionPolicies.of(
        RetentionPolicy.purgeAfter(DOC, Period.ofDays(1)).withAction(RetentionPolicy.Action.ANONYMISE));
    assertThrows(IllegalStateException.class, () -> Lifecycle.builder(store).policies(p).build());
    Lifecycle.builder(store).policies(p).expiryHandler(new ExpiryHandler() {}).build();
  }

  @Test
  void batchSize_isBounded() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> Lifecycle.builder(store).batchSize(0));
    assertThrows(IllegalArgumentException.class, () -> Lifecycle.builder(store).batchSize(10_001));
  }

  @Test
  void softDelete_recordsWhoWhyAndOperation() throws Exception {
    RecordRef a = doc(1);
    SoftDeletion op = lifecycle.softDelete(List.of(a), ALICE, Period.ofDays(7));
    assertEquals(ALICE, store.operation(op.id()).orElseThrow().by());
    assertEquals(Optional.of(op.id()), store.find(a).orElseThrow().operation());
    assertEquals(Optional.of(now.get().plus(Duration.ofDays(7))), store.find(a).orElseThrow().purgeAfter());
    assertEquals(List.of(LifecycleEvent.Type.SOFT_DELETED), types());
    assertEquals(op.id().toString(), events.get(0).details().get("operation"));
  }

  @Test
  void softDelete_badInput_isRejected() throws Exception {
    RecordRef a = doc(1);
    assertThrows(IllegalArgumentException.class, () -> lifecycle.softDelete(List.of(), ALICE));
    assertThrows(IllegalArgumentException.class, () -> lifecycle.softDelete(List.of(a), ALICE, Period.ofDays(-3)));
    assertThrows(IllegalArgumentException.class, () -> lifecycle.softDelete(List.of(a, a), ALICE));
    assertThrows(UnknownDataClassException.class,
        () -> lifecycle.softDelete(List.of(RecordRef.of(DataClass.SESSION, "x")), ALICE));
    assertFalse(store.find(a).orElseThrow().deleted());
  }

  @Test
  void purge_underHold_neverHappens_andExplainSaysWhy() throws Exception {
    RecordRef a = doc(1);
    lifecycle.softDelete(List.of(a), ALICE);
    LegalHold h = lifecycle.holdSubject("s1", "case 9", "legal", OPS);
    advance(Duration.ofDays(400));
    lifecycle.purgeRunner().run();
    Explanation e = lifecycle.explain(a);
    assertEquals(Explanation.Status.HELD, e.status());
    assertEquals(List.of(h), e.holds());
    assertTrue(e.reasons().get(0).contains("case 9"));
  }

  @Test
  void runner_refusesClockBehindLastRun_andDeletesNothing() throws Exception {
    RecordRef a = doc(1);
    lifecycle.softDelete(List.of(a), ALICE);
    advance(Duration.ofDays(31));
    lifecycle.purgeRunner().run();
    RecordRef b = doc(2);
    lifecycle.softDelete(List.of(b), ALICE);
    advance(Duration.ofDays(31));
    now.updateAndGet(t -> t.minus(Duration.ofDays(40)));
    PurgeRefusedException e = assertThrows(PurgeRefusedException.class, () -> lifecycle.purgeRunner().run());
    assertEquals(PurgeRefusedException.Rail.CLOCK_BEHIND_LAST_RUN, e.rail());
    assertTrue(types().contains(LifecycleEvent.Type.PURGE_GUARD_TRIPPED));
    now.updateAndGet(t -> t.plus(Duration.ofDays(400)));
    PurgeRefusedException ahead = assertThrows(PurgeRefusedException.class, () -> lifecycle.purgeRunner().run());
    assertEquals(PurgeRefusedException.Rail.CLOCK_FAR_AHEAD, ahead.rail());
    assertTrue(store.find(b).isPresent());
  }

  @Test
  void runner_stopsOnUnusualVolume_untilOperatorConfirms() throws Exception {
    PurgeRunner runner = PurgeRunner.builder(lifecycle).firstRunLimit(5).volumeLimit(2, 3).build();
    List<RecordRef> docs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      docs.add(doc(i));
    }
    lifecycle.softDelete(docs, ALICE);
    advance(Duration.ofDays(31));
    PurgeRefusedException e = assertThrows(PurgeRefusedException.class, runner::run);
    assertEquals(PurgeRefusedException.Rail.UNUSUAL_VOLUME, e.rail());
    assertEquals(8, store.countDue(DOC, now.get()));

    PurgeReport dry = runner.dryRun();
    assertEquals(8L, dry.counts().get(DOC));
    assertEquals(8, dry.sample().size());
    assertTrue(dry.guardWarning().startsWith("UNUSUAL_VOLUME"));
    assertEquals(8, store.countDue(DOC, now.get()), "a dry run deletes nothing");

    PurgeReport confirmed = runner.run(new PurgeRunner.Confirmation(OPS, 6));
    assertEquals(6, confirmed.total());
    assertTrue(types().contains(LifecycleEvent.Type.PURGE_CONFIRMED));
    advance(Duration.ofMinutes(1));
    assertEquals(2, runner.run().total(), "2 <= max(3, 2 x 6)");
  }

  @Test
  void runner_isIdempotent() throws Exception {
    RecordRef a = doc(1);
    lifecycle.softDelete(List.of(a), ALICE);
    advance(Duration.ofDays(31));
    assertEquals(1, lifecycle.purgeRunner().run().total());
    assertEquals(0, lifecycle.purgeRunner().run().total());
  }

  @Test
  void erase_withoutKeyShredder_refusesKeyRequest_andUnknownSubjectReportsNothing() throws Exception {
    assertThrows(IllegalStateException.class, () -> lifecycle.erase("s1", Optional.empty(), true, ALICE));
    ErasureReport r = lifecycle.erase("nobody", Optional.empty(), false, ALICE);
    assertEquals(0, r.recordsErased());
    assertTrue(r.keyShredReceipt().isEmpty());
  }

  @Test
  void keyShredderFailure_isWrapped_andRecordsNoKeyEvidence() throws Exception {
    Lifecycle l = Lifecycle.builder(store)
        .policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(DOC, Period.ofDays(9))))
        .clock(now::get).keyShredder(s -> {
          throw new java.security.GeneralSecurityException("hsm offline");
        }).build();
    doc(1);
    LifecycleStoreException e = assertThrows(LifecycleStoreException.class, () -> l.erase("s1", Optional.empty(), true, ALICE));
    assertTrue(e.getCause() instanceof java.security.GeneralSecurityException);
    assertTrue(l.erasureReport("s1").keyShredReceipt().isEmpty());
    assertEquals(1, l.erasureReport("s1").recordsErased());
  }

  @Test
  void scheduler_runsPurgesPeriodically_andSurvivesRefusals() throws Exception {
    RecordRef a = doc(1);
    lifecycle.softDelete(List.of(a), ALICE);
    advance(Duration.ofDays(31));
    CountDownLatch ran = new CountDownLatch(2);
    Lifecycle observed = Lifecycle.builder(store)
        .policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(DOC, Period.ofDays(90))))
        .clock(now::get).listener(e -> {
          if (e.type() == LifecycleEvent.Type.PURGE_RUN_COMPLETED) {
            ran.countDown();
          }
        }).build();
    ScheduledExecutorService ses = Executors.newSingleThreadScheduledExecutor();
    try (PurgeScheduler scheduler = new PurgeScheduler(observed.purgeRunner())) {
      scheduler.start(ses, Duration.ZERO, Duration.ofMillis(10));
      assertTrue(ran.await(30, TimeUnit.SECONDS));
      assertThrows(IllegalStateException.class, () -> scheduler.start(ses, Duration.ZERO, Duration.ofMillis(10)));
    } finally {
      ses.shutdownNow();
    }
    assertTrue(store.find(a).isEmpty());

    now.updateAndGet(t -> t.minus(Duration.ofDays(1)));
    PurgeScheduler manual = new PurgeScheduler(observed.purgeRunner());
    PurgeScheduler.Outcome o = manual.runOnce();
    assertTrue(o.error().orElseThrow() instanceof PurgeRefusedException);
    assertEquals(o, manual.lastOutcome().orElseThrow());
  }

  @Test
  void runInterruptedMidway_resumesWithoutRedoingOrLosingRows() throws Exception {
    int[] calls = {0};
    boolean[] crash = {true};
    Lifecycle l = Lifecycle.builder(store)
        .policies(RetentionPolicies.of(
            RetentionPolicy.purgeAfter(DOC, Period.ofDays(90)).withAction(RetentionPolicy.Action.ARCHIVE)))
        .clock(now::get).listener(events::add).batchSize(2).expiryHandler(new ExpiryHandler() {
          @Override
          public void archive(List<dev.bulwark.lifecycle.spi.RecordState> records) {
            if (++calls[0] == 2 && crash[0]) {
              throw new IllegalStateException("process died");
            }
          }
        }).build();
    List<RecordRef> docs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      docs.add(doc(i));
    }
    l.softDelete(docs, ALICE);
    advance(Duration.ofDays(31));
    assertThrows(LifecycleStoreException.class, () -> l.purgeRunner().run());
    assertEquals(3, store.countDue(DOC, now.get()), "the first batch committed, the second rolled back");
    assertTrue(types().contains(LifecycleEvent.Type.PURGE_RUN_FAILED));
    crash[0] = false;
    advance(Duration.ofMinutes(1));
    assertEquals(3, l.purgeRunner().run().total());
    List<String> hashes = new ArrayList<>();
    events.stream().flatMap(e -> e.evidence().stream()).forEach(e -> e.items().forEach(i -> hashes.add(i.recordHash())));
    assertEquals(5, hashes.size());
    assertEquals(5, new java.util.HashSet<>(hashes).size());
  }

  @Test
  void slowBatches_shrinkTheNextBatch_andFastOnesGrowItBack() throws Exception {
    Lifecycle l = Lifecycle.builder(store)
        .policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(DOC, Period.ofDays(90))))
        .clock(now::get).listener(events::add).batchSize(40).build();
    List<RecordRef> docs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      docs.add(doc(i));
    }
    l.softDelete(docs, ALICE);
    advance(Duration.ofDays(31));
    // Each batch "takes" 2 s for the first two batches, then 1 ms.
    long[] ticks = {0};
    int[] reads = {0};
    PurgeRunner runner = PurgeRunner.builder(l).targetBatchTime(Duration.ofSeconds(1)).ticker(() -> {
      reads[0]++;
      long step = reads[0] % 2 == 0 ? (reads[0] <= 4 ? 2_000_000_000L : 1_000_000L) : 0;
      return ticks[0] += step;
    }).build();
    PurgeReport r = runner.run();
    assertEquals(100, r.total());
    List<Integer> sizes = events.stream().flatMap(e -> e.evidence().stream()).map(DeletionEvidence::count).toList();
    assertEquals(List.of(10, 10, 10, 20, 40, 10), sizes, "slow start at 40 / 8 -> 10, halve when slow, double when fast");
    assertEquals(Duration.ofSeconds(2), r.maxBatchTime());
  }
}
