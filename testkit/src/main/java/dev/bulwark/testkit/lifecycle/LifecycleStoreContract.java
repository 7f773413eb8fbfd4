package dev.bulwark.testkit.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.DeletionEvidence;
import dev.bulwark.lifecycle.ErasureReport;
import dev.bulwark.lifecycle.Explanation;
import dev.bulwark.lifecycle.LegalHold;
import dev.bulwark.lifecycle.LegalHoldException;
import dev.bulwark.lifecycle.Lifecycle;
import dev.bulwark.lifecycle.LifecycleEvent;
import dev.bulwark.lifecycle.LifecycleException;
import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.LifecycleStoreException;
import dev.bulwark.lifecycle.OperationId;
import dev.bulwark.lifecycle.OperationNotRestorableException;
import dev.bulwark.lifecycle.PurgeRefusedException;
import dev.bulwark.lifecycle.PurgeReport;
import dev.bulwark.lifecycle.PurgeRunner;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.RetentionPolicies;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.UnknownDataClassException;
import dev.bulwark.lifecycle.UnknownOperationException;
import dev.bulwark.lifecycle.UnknownRecordException;
import dev.bulwark.lifecycle.spi.ExpiryHandler;
import dev.bulwark.lifecycle.spi.PurgeBatchRequest;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.lifecycle.spi.SoftDeletion;
import dev.bulwark.testkit.StoreContract;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The behaviour of Bulwark's {@link LifecycleStore}s ({@link LifecycleStore#inMemory} over a
 * host's records, and the JDBC store over the host's tables): soft delete and exact restore,
 * holds that block the purge, evidence for every purged record, the watermark. A host does not
 * implement {@link LifecycleStore}; it implements {@link dev.bulwark.lifecycle.spi.HostRecords} and
 * runs {@link HostRecordsContract}, which runs this suite over its records. A store under test holds records of two
 * classes: {@link #ITEM} (subject, tenant and eligible-at known) and {@link #ATTACHMENT} (subject
 * known). Record ids are decimal numbers, so that stores with numeric keys can run the suite.
 * Implementations say how to add a live record with {@link #insert}.
 */
public abstract class LifecycleStoreContract extends StoreContract<LifecycleStore> {

  public static final DataClass ITEM = DataClass.of("item");
  public static final DataClass ATTACHMENT = DataClass.of("attachment");
  protected static final Attribution ALICE = Attribution.of("alice", "user request");
  protected static final Attribution OPERATOR = Attribution.of("operator", "ticket 7");

  private final AtomicLong ids = new AtomicLong(1000);

  /** Adds a live record, as the host's own INSERT would. */
  protected abstract void insert(RecordRef ref, Optional<String> subject, Optional<String> tenant) throws Exception;

  /**
   * What the host's anonymisation does to {@link #ITEM} records: rewrites their payload to
   * {@code "anonymised"}. A database store passes the batch's connection; the implementation
   * MUST use it (another connection would wait for the batch's row locks).
   */
  protected abstract void anonymiseInHost(List<RecordState> records, Optional<Connection> transaction)
      throws Exception;

  /** The payload of an {@link #ITEM} record as the host's table holds it now. */
  protected abstract String payload(RecordRef ref) throws Exception;

  protected RecordRef newRecord(DataClass c, String subject, String tenant) throws Exception {
    RecordRef ref = RecordRef.of(c, Long.toString(ids.incrementAndGet()));
    insert(ref, Optional.ofNullable(subject), c.equals(ITEM) ? Optional.ofNullable(tenant) : Optional.empty());
    return ref;
  }

  protected RetentionPolicies policies() {
    return RetentionPolicies.of(RetentionPolicy.purgeAfter(ITEM, Period.ofDays(90)),
        RetentionPolicy.purgeAfter(ATTACHMENT, Period.ofDays(30)));
  }

  protected Lifecycle lifecycle() {
    return lifecycle(policies(), ExpiryHandler.NONE, new ArrayList<>());
  }

  protected Lifecycle lifecycle(RetentionPolicies p, ExpiryHandler handler, List<Object> events) {
    List<Object> sink = Collections.synchronizedList(events);
    return Lifecycle.builder(store).policies(p).clock(clock).expiryHandler(handler).listener(sink::add).build();
  }

  private PurgeRunner runner(Lifecycle l) {
    return PurgeRunner.builder(l).maxClockLead(Duration.ofDays(1)).maxGapSinceLastRun(Duration.ofDays(3650))
        .checkStoreClock(false).build();
  }

  private PurgeBatchRequest batch(DataClass c, int limit) {
    return new PurgeBatchRequest(RetentionPolicy.purgeAfter(c, Period.ofDays(30)), clock.instant(), Optional.empty(),
        limit, OPERATOR, "test", ExpiryHandler.NONE);
  }

  // ------------------------------------------------------------------ soft delete and restore

  @Test
  public void softDelete_setsPurgeDateFromWindow_andRestoreIsExactInverse() throws Exception {
    Lifecycle l = lifecycle();
    RecordRef a = newRecord(ITEM, "s1", "t1");
    RecordRef b = newRecord(ATTACHMENT, "s1", null);
    l.markEligible(a, clock.instant());
    RecordState beforeA = store.find(a).orElseThrow();
    RecordState beforeB = store.find(b).orElseThrow();

    SoftDeletion op = l.softDelete(List.of(a, b), ALICE);

    Instant expected = clock.instant().plus(Duration.ofDays(30));
    assertEquals(Optional.of(expected), store.find(a).orElseThrow().purgeAfter());
    assertEquals(Optional.of(clock.instant()), store.find(b).orElseThrow().deletedAt());
    assertEquals(2, store.operation(op.id()).orElseThrow().entries().size());

    clock.advance(Duration.ofDays(3));
    l.restore(op.id(), OPERATOR);
    assertEquals(beforeA, store.find(a).orElseThrow());
    assertEquals(beforeB, store.find(b).orElseThrow());
    assertTrue(store.operation(op.id()).orElseThrow().restoration().isPresent());
  }

  @Test
  public void softDelete_neverSetsPurgeDateBeyondRetentionDeadline() throws Exception {
    Lifecycle l = lifecycle();
    RecordRef a = newRecord(ITEM, "s1", "t1");
    Instant deadline = l.markEligible(a, clock.instant().minus(Duration.ofDays(80)));
    SoftDeletion op = l.softDelete(List.of(a), ALICE);
    assertEquals(Optional.of(deadline), store.find(a).orElseThrow().purgeAfter());
    assertEquals(Optional.of(deadline), op.entries().get(0).priorPurgeAfter());
  }

  @Test
  public void softDelete_withUnknownRecord_changesNothing() throws Exception {
    Lifecycle l = lifecycle();
    RecordRef a = newRecord(ITEM, "s1", "t1");
    RecordRef missing = RecordRef.of(ITEM, "999999999");
    assertThrows(UnknownRecordException.class, () -> l.softDelete(List.of(a, missing), ALICE));
    assertFalse(store.find(a).orElseThrow().deleted());
  }

  @Test
  public void softDelete_ofDeletedRecord_fails() throws Exception {
    Lifecycle l = lifecycle();
    RecordRef a = newRecord(ITEM, "s1", "t1");
    l.softDelete(List.of(a), ALICE);
    assertThrows(UnknownRecordException.class, () -> l.softDelete(List.of(a), ALICE));
  }

  @Test
  public void softDelete_ofUnknownClass_fails() throws Exception {
    Lifecycle l = lifecycle();
    assertThrows(UnknownDataClassException.class,
        () -> l.softDelete(List.of(RecordRef.of(DataClass.of("nope"), "1")), ALICE));
  }

  @Test
  public void restore_unknownOperation_fails() throws Exception {
    assertThrows(UnknownOperationException.class, () -> lifecycle().restore(OperationId.random(), OPERATOR));
  }

  @Test
  public void restore_twice_fails() throws Exception {
    Lifecycle l = lifecycle();
    SoftDeletion op = l.softDelete(List.of(newRecord(ITEM, "s", "t")), ALICE);
    l.restore(op.id(), OPERATOR);
    assertThrows(OperationNotRestorableException.class, () -> l.restore(op.id(), OPERATOR));
  }

  @Test
  public void restore_afterPartialPurge_failsAndRestoresNothing() throws Exception {
    Lifecycle l = lifecycle();
    RecordRef a = newRecord(ITEM, "s", "t");
    RecordRef b = newRecord(ATTACHMENT, "s", null);
    SoftDeletion op = l.softDelete(List.of(a, b), ALICE);
    l.holdRecord(b, "case 1", "legal", OPERATOR);
    clock.advance(Duration.ofDays(31));
    runner(l).run();
    assertTrue(store.find(a).isEmpty());
    assertThrows(OperationNotRestorableException.class, () -> l.restore(op.id(), OPERATOR));
    assertTrue(store.find(b).orElseThrow().deleted());
  }

  @Test
  public void recoveryWindow_longerThanPolicy_isRefused() throws Exception {
    Lifecycle l = lifecycle();
    RecordRef a = newRecord(ITEM, "s", "t");
    assertThrows(LifecycleException.class, () -> l.softDelete(List.of(a), ALICE, Period.ofDays(31)));
    assertFalse(store.find(a).orElseThrow().deleted());
  }

  // ------------------------------------------------------------------ deadlines

  @Test
  public void markEligible_fixesDeadline_policyChangeDoesNotMoveIt_reevaluateDoes() throws Exception {
    List<Object> events = new ArrayList<>();
    Lifecycle l = lifecycle(policies(), ExpiryHandler.NONE, events);
    RecordRef a = newRecord(ITEM, "s", "t");
    Instant eligible = Instant.parse("2026-01-31T10:00:00Z");
    Instant first = l.markEligible(a, eligible);
    assertEquals(Instant.parse("2026-05-01T10:00:00Z"), first);
    assertEquals(first, l.markEligible(a, eligible.plus(Duration.ofDays(5))));

    l.changePolicy(RetentionPolicy.purgeAfter(ITEM, Period.ofMonths(6)), OPERATOR, false);
    assertEquals(Optional.of(first), store.find(a).orElseThrow().purgeAfter());

    assertEquals(1, l.reevaluate(ITEM, OPERATOR));
    assertEquals(Optional.of(Instant.parse("2026-07-31T10:00:00Z")), store.find(a).orElseThrow().purgeAfter());
  }

  @Test
  public void moveDeadline_withStaleExpectation_doesNothing() throws Exception {
    Lifecycle l = lifecycle();
    RecordRef a = newRecord(ITEM, "s", "t");
    Instant d = l.markEligible(a, clock.instant());
    assertFalse(store.moveDeadline(a, d.plusSeconds(1), d.plusSeconds(100)));
    assertEquals(Optional.of(d), store.find(a).orElseThrow().purgeAfter());
  }

  // ------------------------------------------------------------------ purge

  @Test
  public void purge_removesOnlyDueRecords_andRecordsEvidence() throws Exception {
    List<Object> events = new ArrayList<>();
    Lifecycle l = lifecycle(policies(), ExpiryHandler.NONE, events);
    RecordRef due = newRecord(ITEM, "s1", "t");
    RecordRef early = newRecord(ITEM, "s2", "t");
    RecordRef live = newRecord(ITEM, "s3", "t");
    l.softDelete(List.of(due), ALICE);
    clock.advance(Duration.ofDays(10));
    l.softDelete(List.of(early), ALICE);
    clock.advance(Duration.ofDays(21));

    PurgeReport report = runner(l).run();

    assertEquals(1L, report.counts().get(ITEM));
    assertTrue(store.find(due).isEmpty());
    assertTrue(store.find(early).isPresent());
    assertTrue(store.find(live).isPresent());
    List<DeletionEvidence> mine = store.evidenceForSubject(DeletionEvidence.hashSubject("s1"));
    assertEquals(1, mine.size());
    assertEquals(DeletionEvidence.hashRecord(due), mine.get(0).items().get(0).recordHash());
    assertEquals(DeletionEvidence.Kind.PURGED, mine.get(0).kind());
    assertTrue(store.pendingEvidence(10).isEmpty(), "delivered evidence is no longer pending");
  }

  @Test
  public void dryRun_listsDueRecordsWithDeadlines_andDeletesNothing() throws Exception {
    Lifecycle l = lifecycle();
    RecordRef a = newRecord(ITEM, "s", "t");
    RecordRef b = newRecord(ATTACHMENT, "s", null);
    RecordRef held = newRecord(ITEM, "h", "t");
    l.softDelete(List.of(a, b, held), ALICE);
    l.holdRecord(held, "case", "legal", OPERATOR);
    clock.advance(Duration.ofDays(30));
    PurgeReport dry = runner(l).dryRun();
    assertTrue(dry.dryRun());
    assertEquals(1L, dry.counts().get(ITEM));
    assertEquals(1L, dry.counts().get(ATTACHMENT));
    assertEquals(Set.of(a, b), new HashSet<>(dry.sample().stream().map(RecordState::ref).toList()));
    assertTrue(dry.sample().stream().allMatch(r -> r.purgeAfter().isPresent()));
    assertTrue(store.find(a).isPresent());
    assertTrue(store.find(b).isPresent());
  }

  @Test
  public void purgeBatch_isBounded() throws Exception {
    for (int i = 0; i < 7; i++) {
      store.markEligible(newRecord(ATTACHMENT, null, null), clock.instant(), clock.instant());
    }
    clock.advance(Duration.ofSeconds(1));
    assertEquals(7, store.countDue(ATTACHMENT, clock.instant()));
    assertEquals(3, store.purgeBatch(batch(ATTACHMENT, 3)).orElseThrow().count());
    assertEquals(3, store.purgeBatch(batch(ATTACHMENT, 3)).orElseThrow().count());
    assertEquals(1, store.purgeBatch(batch(ATTACHMENT, 3)).orElseThrow().count());
    assertTrue(store.purgeBatch(batch(ATTACHMENT, 3)).isEmpty());
  }

  @Test
  public void holds_byRecordSubjectAndTenant_blockPurge_untilReleased() throws Exception {
    Lifecycle l = lifecycle();
    RecordRef byRecord = newRecord(ITEM, "s1", "t1");
    RecordRef bySubject = newRecord(ITEM, "s2", "t1");
    RecordRef byTenant = newRecord(ITEM, "s3", "t2");
    RecordRef free = newRecord(ITEM, "s4", "t1");
    l.softDelete(List.of(byRecord, bySubject, byTenant, free), ALICE);
    LegalHold h1 = l.holdRecord(byRecord, "case 1", "legal", OPERATOR);
    l.holdSubject("s2", "case 2", "legal", OPERATOR);
    l.holdTenant("t2", "case 3", "legal", OPERATOR);
    clock.advance(Duration.ofDays(31));

    assertEquals(1, store.countDue(ITEM, clock.instant()));
    assertEquals(Explanation.Status.HELD, l.explain(byRecord).status());
    runner(l).run();
    assertTrue(store.find(free).isEmpty());
    assertTrue(store.find(byRecord).isPresent());
    assertTrue(store.find(bySubject).isPresent());
    assertTrue(store.find(byTenant).isPresent());

    LegalHold released = l.releaseHold(h1.id(), OPERATOR);
    assertEquals(OPERATOR, released.release().orElseThrow().by());
    assertEquals(released, store.hold(h1.id()).orElseThrow());
    assertEquals(2, store.activeHolds().size());
    clock.advance(Duration.ofMinutes(1));
    runner(l).run();
    assertTrue(store.find(byRecord).isEmpty());
    assertTrue(store.find(bySubject).isPresent());
  }

  @Test
  public void releaseHold_unknownOrReleased_fails() throws Exception {
    Lifecycle l = lifecycle();
    assertThrows(LifecycleException.class, () -> l.releaseHold(UUID.randomUUID(), OPERATOR));
    LegalHold h = l.holdSubject("s", "case", "legal", OPERATOR);
    l.releaseHold(h.id(), OPERATOR);
    assertThrows(LifecycleException.class, () -> l.releaseHold(h.id(), OPERATOR));
  }

  @Test
  public void explain_coversWindowPolicyAndDue() throws Exception {
    Lifecycle l = lifecycle();
    RecordRef live = newRecord(ITEM, "s", "t");
    assertEquals(Explanation.Status.NO_DEADLINE, l.explain(live).status());
    l.markEligible(live, clock.instant());
    assertEquals(Explanation.Status.RETAINED_BY_POLICY, l.explain(live).status());
    RecordRef deleted = newRecord(ITEM, "s", "t");
    l.softDelete(List.of(deleted), ALICE);
    Explanation window = l.explain(deleted);
    assertEquals(Explanation.Status.IN_RECOVERY_WINDOW, window.status());
    assertTrue(window.reasons().get(0).contains("recoverable until"));
    clock.advance(Duration.ofDays(30));
    assertEquals(Explanation.Status.DUE, l.explain(deleted).status());
    runner(l).run();
    assertEquals(Explanation.Status.NOT_FOUND, l.explain(deleted).status());
  }

  @Test
  public void anonymiseAction_handsRecordsToHost_andKeepsThem() throws Exception {
    List<RecordState> handed = new ArrayList<>();
    ExpiryHandler handler = new ExpiryHandler() {
      @Override
      public void anonymise(List<RecordState> records) {
        handed.addAll(records);
      }
    };
    RetentionPolicies p = RetentionPolicies.of(
        RetentionPolicy.purgeAfter(ITEM, Period.ofDays(90)).withAction(RetentionPolicy.Action.ANONYMISE),
        RetentionPolicy.purgeAfter(ATTACHMENT, Period.ofDays(30)));
    Lifecycle l = lifecycle(p, handler, new ArrayList<>());
    RecordRef a = newRecord(ITEM, "s", "t");
    l.markEligible(a, clock.instant());
    clock.advance(Duration.ofDays(90));
    PurgeReport r = runner(l).run();
    assertEquals(1L, r.counts().get(ITEM));
    assertEquals(List.of(a), handed.stream().map(RecordState::ref).toList());
    assertTrue(store.find(a).orElseThrow().purgeAfter().isEmpty());
    clock.advance(Duration.ofDays(1));
    assertEquals(0L, runner(l).run().total());
  }

  @Test
  public void anonymiseAction_handlerReallyUpdatesTheHostTable_inTheBatch() throws Exception {
    ExpiryHandler handler = new ExpiryHandler() {
      @Override
      public void anonymise(List<RecordState> records, Optional<Connection> transaction) throws Exception {
        anonymiseInHost(records, transaction);
      }
    };
    RetentionPolicies p = RetentionPolicies.of(
        RetentionPolicy.purgeAfter(ITEM, Period.ofDays(90)).withAction(RetentionPolicy.Action.ANONYMISE),
        RetentionPolicy.purgeAfter(ATTACHMENT, Period.ofDays(30)));
    Lifecycle l = Lifecycle.builder(store).policies(p).clock(clock).expiryHandler(handler).batchSize(2).build();
    List<RecordRef> due = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      RecordRef r = newRecord(ITEM, "s" + i, "t");
      l.markEligible(r, clock.instant());
      due.add(r);
    }
    RecordRef notYet = newRecord(ITEM, "s9", "t");
    clock.advance(Duration.ofDays(90));
    PurgeReport r = runner(l).run();
    assertEquals(5L, r.counts().get(ITEM));
    for (RecordRef ref : due) {
      assertEquals("anonymised", payload(ref), ref.toString());
      assertTrue(store.find(ref).orElseThrow().purgeAfter().isEmpty());
    }
    assertEquals("x", payload(notYet));
  }

  @Test
  public void classHold_blocksEveryRecordOfTheClass_andOnlyThatClass() throws Exception {
    Lifecycle l = lifecycle();
    RecordRef a = newRecord(ITEM, "s1", "t1");
    RecordRef b = newRecord(ITEM, "s2", "t2");
    RecordRef other = newRecord(ATTACHMENT, "s1", null);
    l.softDelete(List.of(a, b, other), ALICE);
    LegalHold h = l.holdClass(ITEM, "litigation 12", "legal", OPERATOR);
    assertEquals(LegalHold.Scope.CLASS, h.scope());
    clock.advance(Duration.ofDays(31));
    assertEquals(0, store.countDue(ITEM, clock.instant()));
    assertEquals(Explanation.Status.HELD, l.explain(a).status());
    runner(l).run();
    assertTrue(store.find(a).isPresent());
    assertTrue(store.find(b).isPresent());
    assertTrue(store.find(other).isEmpty(), "a class hold does not hold other classes");
    l.releaseHold(h.id(), OPERATOR);
    clock.advance(Duration.ofMinutes(1));
    runner(l).run();
    assertTrue(store.find(a).isEmpty());
    assertTrue(store.find(b).isEmpty());
  }

  @Test
  public void recordHold_onAnotherSpellingOfTheId_holds() throws Exception {
    Lifecycle l = lifecycle();
    RecordRef a = newRecord(ITEM, "s1", "t1");
    l.softDelete(List.of(a), ALICE);
    // Ids of this suite are decimal numbers: in a numeric column "007" names record 7, and a hold
    // on that spelling must hold it.
    RecordRef spelled = RecordRef.of(ITEM, "00" + a.id());
    if (store.canonicalId(spelled).equals(store.canonicalId(a))) {
      l.holdRecord(spelled, "case", "legal", OPERATOR);
    } else {
      l.holdRecord(a, "case", "legal", OPERATOR);
    }
    clock.advance(Duration.ofDays(31));
    runner(l).run();
    assertTrue(store.find(a).isPresent(), "the held record survives the purge");
  }

  @Test
  public void restore_afterTheRecoveryWindow_isRefused() throws Exception {
    Lifecycle l = lifecycle();
    RecordRef a = newRecord(ITEM, "s", "t");
    SoftDeletion op = l.softDelete(List.of(a), ALICE, Period.ofDays(7));
    clock.advance(Duration.ofDays(7));
    assertThrows(OperationNotRestorableException.class, () -> l.restore(op.id(), OPERATOR));
    assertTrue(store.find(a).orElseThrow().deleted());
    assertTrue(store.operation(op.id()).orElseThrow().restoration().isEmpty());
  }

  @Test
  public void watermark_withoutACompletedRun_hasNoRowCount() throws Exception {
    store.advanceWatermark(clock.instant());
    assertEquals(Optional.empty(), store.watermark().lastCompletedRows());
    assertEquals(Optional.empty(), store.advanceWatermark(clock.instant().plusSeconds(1)).lastCompletedRows());
  }

  @Test
  public void watermark_afterARunUnderAClockFarAhead_canBeResetByAnOperator_andTheResetIsEvidence() throws Exception {
    List<Object> events = new ArrayList<>();
    Lifecycle l = lifecycle(policies(), ExpiryHandler.NONE, events);
    RecordRef a = newRecord(ITEM, "s", "t");
    l.softDelete(List.of(a), ALICE);
    Instant real = clock.instant();
    clock.advance(Duration.ofDays(3653));
    runner(l).run(new PurgeRunner.Confirmation(OPERATOR, 10));
    clock.set(real.plus(Duration.ofDays(1)));
    PurgeRefusedException refused = assertThrows(PurgeRefusedException.class, () -> runner(l).run());
    assertEquals(PurgeRefusedException.Rail.CLOCK_BEHIND_LAST_RUN, refused.rail());

    Attribution bob = Attribution.of("bob", "clock was ten years ahead");
    LifecycleStore.Watermark before = runner(l).resetWatermark(bob);
    assertEquals(Optional.of(real.plus(Duration.ofDays(3653))), before.lastRunStartedAt());
    assertEquals(Optional.of(clock.instant()), store.watermark().lastRunStartedAt());
    LifecycleEvent reset = events.stream().map(LifecycleEvent.class::cast)
        .filter(e -> e.type() == LifecycleEvent.Type.WATERMARK_RESET).findFirst().orElseThrow();
    assertEquals(bob, reset.by());
    assertEquals(DeletionEvidence.Kind.WATERMARK_RESET, reset.evidence().orElseThrow().kind());
    assertTrue(reset.evidence().get().policy().contains(before.lastRunStartedAt().get().toString()));
    clock.advance(Duration.ofMinutes(1));
    runner(l).run();
  }

  @Test
  public void holdPlacedAfterTheLastErasureBatch_stopsKeyDestruction() throws Exception {
    List<String> shredded = new ArrayList<>();
    Lifecycle[] self = new Lifecycle[1];
    int[] purgedBatches = {0};
    Lifecycle l = Lifecycle.builder(store).policies(policies()).clock(clock).batchSize(1)
        .listener(e -> {
          // The third and last batch of erin's records has committed: a hold arrives now,
          // before the key is destroyed.
          if (e.type() == LifecycleEvent.Type.RECORDS_PURGED && ++purgedBatches[0] == 3) {
            self[0].holdSubject("erin", "litigation", "legal", OPERATOR);
          }
        })
        .keyShredder(subject -> {
          shredded.add(subject);
          return "r";
        }).build();
    self[0] = l;
    newRecord(ITEM, "erin", "t");
    newRecord(ITEM, "erin", "t");
    newRecord(ATTACHMENT, "erin", null);
    assertThrows(LegalHoldException.class, () -> l.erase("erin", Optional.of("t"), true, ALICE));
    assertEquals(3, purgedBatches[0]);
    assertTrue(shredded.isEmpty(), "a hold placed before the key is destroyed wins");
    assertTrue(l.erasureReport("erin").keyShredReceipt().isEmpty());
  }

  @Test
  public void archiveAction_thatFails_deletesNothing() throws Exception {
    ExpiryHandler failing = new ExpiryHandler() {
      @Override
      public void archive(List<RecordState> records) throws Exception {
        throw new java.io.IOException("archive unavailable");
      }
    };
    RetentionPolicies p = RetentionPolicies.of(RetentionPolicy.purgeAfter(ITEM, Period.ofDays(90)),
        RetentionPolicy.purgeAfter(ATTACHMENT, Period.ofDays(30)).withAction(RetentionPolicy.Action.ARCHIVE));
    Lifecycle l = lifecycle(p, failing, new ArrayList<>());
    RecordRef a = newRecord(ATTACHMENT, "s", null);
    l.softDelete(List.of(a), ALICE);
    clock.advance(Duration.ofDays(31));
    assertThrows(LifecycleStoreException.class, () -> runner(l).run());
    assertTrue(store.find(a).isPresent());
    assertTrue(store.pendingEvidence(10).isEmpty());
  }

  @Test
  public void concurrentPurgers_processEveryRowExactlyOnce() throws Exception {
    int n = 300;
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < n; i++) {
      RecordRef r = newRecord(ATTACHMENT, null, null);
      store.markEligible(r, clock.instant(), clock.instant());
      expected.add(DeletionEvidence.hashRecord(r));
    }
    clock.advance(Duration.ofSeconds(1));
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Callable<List<String>>> workers = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        workers.add(() -> {
          List<String> mine = new ArrayList<>();
          while (true) {
            Optional<DeletionEvidence> e = store.purgeBatch(batch(ATTACHMENT, 7));
            if (e.isEmpty()) {
              return mine;
            }
            e.get().items().forEach(it -> mine.add(it.recordHash()));
          }
        });
      }
      List<String> all = new ArrayList<>();
      for (Future<List<String>> f : pool.invokeAll(workers)) {
        all.addAll(f.get());
      }
      assertEquals(n, all.size(), "no row twice");
      assertEquals(expected, new HashSet<>(all), "every row once");
    } finally {
      pool.shutdownNow();
    }
  }

  // ------------------------------------------------------------------ erasure and key shredding

  @Test
  public void erase_deletesSubjectsRecords_thenShredsKey_andReportsIt() throws Exception {
    List<String> shredded = new ArrayList<>();
    Lifecycle l = Lifecycle.builder(store).policies(policies()).clock(clock)
        .keyShredder(subject -> {
          shredded.add(subject);
          return "tombstone-" + subject;
        }).build();
    RecordRef a = newRecord(ITEM, "erin", "t");
    RecordRef b = newRecord(ATTACHMENT, "erin", null);
    RecordRef other = newRecord(ITEM, "olga", "t");

    ErasureReport r = l.erase("erin", Optional.of("t"), true, ALICE);

    assertTrue(store.find(a).isEmpty());
    assertTrue(store.find(b).isEmpty());
    assertTrue(store.find(other).isPresent());
    assertEquals(List.of("erin"), shredded);
    assertEquals(2, r.recordsErased());
    assertEquals(Optional.of("tombstone-erin"), r.keyShredReceipt());
    ErasureReport later = l.erasureReport("erin");
    assertEquals(2, later.recordsErased());
    assertEquals(0, later.recordsRemaining());
    assertEquals(Optional.of("tombstone-erin"), later.keyShredReceipt());
    assertEquals(0, l.erasureReport("olga").recordsErased());
  }

  @Test
  public void erase_underSubjectHold_isRefusedAndDeletesNothing() throws Exception {
    List<String> shredded = new ArrayList<>();
    Lifecycle l = Lifecycle.builder(store).policies(policies()).clock(clock)
        .keyShredder(subject -> {
          shredded.add(subject);
          return "r";
        }).build();
    RecordRef a = newRecord(ITEM, "erin", "t");
    l.holdTenant("t", "audit", "legal", OPERATOR);
    assertThrows(LegalHoldException.class, () -> l.erase("erin", Optional.of("t"), true, ALICE));
    assertTrue(store.find(a).isPresent());
    assertTrue(shredded.isEmpty());
  }

  @Test
  public void erase_withHeldRecord_keepsItAndRefusesKeyDestruction() throws Exception {
    List<String> shredded = new ArrayList<>();
    Lifecycle l = Lifecycle.builder(store).policies(policies()).clock(clock)
        .keyShredder(subject -> {
          shredded.add(subject);
          return "r";
        }).build();
    RecordRef held = newRecord(ITEM, "erin", "t");
    RecordRef free = newRecord(ATTACHMENT, "erin", null);
    l.holdRecord(held, "case", "legal", OPERATOR);
    assertThrows(LegalHoldException.class, () -> l.erase("erin", Optional.empty(), true, ALICE));
    assertTrue(store.find(held).isPresent());
    assertTrue(store.find(free).isEmpty());
    assertTrue(shredded.isEmpty());
    assertEquals(1, l.erasureReport("erin").recordsRemaining());
  }

  // ------------------------------------------------------------------ evidence and watermark

  @Test
  public void evidence_isPendingUntilDelivered() throws Exception {
    DeletionEvidence e = new DeletionEvidence(UUID.randomUUID(), DeletionEvidence.Kind.KEY_SHREDDED, Optional.empty(),
        "p", List.of(new DeletionEvidence.Item(DeletionEvidence.hashKey("x"), Optional.of(DeletionEvidence.hashSubject("x")))),
        clock.instant(), OPERATOR, "ref");
    store.appendEvidence(e);
    assertEquals(List.of(e), store.pendingEvidence(10));
    assertEquals(List.of(e), store.evidenceForSubject(DeletionEvidence.hashSubject("x")));
    store.markDelivered(List.of(e.id()));
    assertTrue(store.pendingEvidence(10).isEmpty());
  }

  @Test
  public void watermark_onlyMovesForward() throws Exception {
    Instant t0 = clock.instant();
    assertTrue(store.advanceWatermark(t0).lastRunStartedAt().isEmpty());
    assertEquals(Optional.of(t0), store.advanceWatermark(t0.minusSeconds(60)).lastRunStartedAt());
    assertEquals(Optional.of(t0), store.watermark().lastRunStartedAt());
    store.recordRunCompleted(42);
    assertEquals(Optional.of(42L), store.watermark().lastCompletedRows());
  }

  @Test
  public void failedListener_leavesEvidencePending_forNextRun() throws Exception {
    List<Object> delivered = new ArrayList<>();
    boolean[] fail = {true};
    Lifecycle l = Lifecycle.builder(store).policies(policies()).clock(clock).listener(ev -> {
      if (fail[0]) {
        throw new IllegalStateException("audit log down");
      }
      delivered.add(ev);
    }).build();
    RecordRef a = newRecord(ITEM, "s", "t");
    l.softDelete(List.of(a), ALICE);
    clock.advance(Duration.ofDays(31));
    runner(l).run();
    assertTrue(store.find(a).isEmpty());
    assertEquals(1, store.pendingEvidence(10).size());
    fail[0] = false;
    clock.advance(Duration.ofMinutes(1));
    runner(l).run();
    assertTrue(store.pendingEvidence(10).isEmpty());
    assertEquals(1, delivered.stream().filter(o -> ((dev.bulwark.lifecycle.LifecycleEvent) o).evidence().isPresent()).count());
  }
}
