package dev.bulwark.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.lifecycle.spi.HostRecords;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.lifecycle.spi.SoftDeletion;
import dev.bulwark.testing.Gen;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LifecycleProperties {

  private static final DataClass DOC = DataClass.of("doc");
  private static final DataClass NOTE = DataClass.of("note");
  private static final Attribution WHO = Attribution.of("alice", "property");

  /** One record: its subject and tenant, when it becomes eligible, and when (if) it is soft deleted. */
  record Plan(int subject, int tenant, Optional<Integer> eligibleHoursAgo, Optional<Integer> deletedHoursAgo,
      boolean recordHold) {}

  static Gen<List<Plan>> plans() {
    Gen<Optional<Integer>> hours = Generators.optional(Generators.ints(0, 24 * 120), 0.3);
    Gen<Plan> plan = r -> new Plan(Generators.ints(0, 4).next(r), Generators.ints(0, 2).next(r), hours.next(r),
        hours.next(r), Generators.ints(0, 9).map(n -> n == 0).next(r));
    return Generators.lists(plan, 1, 25);
  }

  private final class World {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-06-15T08:00:00Z"));
    final InMemoryHostRecords records = HostRecords.inMemory(DOC, NOTE);
    final LifecycleStore store = LifecycleStore.inMemory(records);
    final List<LifecycleEvent> events = new ArrayList<>();
    final Lifecycle lifecycle = Lifecycle.builder(store)
        .policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(DOC, Period.ofDays(90)),
            RetentionPolicy.purgeAfter(NOTE, Period.ofMonths(1))))
        .clock(now::get).listener(events::add).batchSize(3).build();
    final PurgeRunner runner = PurgeRunner.builder(lifecycle).maxGapSinceLastRun(Duration.ofDays(3650)).build();

    /** Builds the records at 200 days before "now", replaying each plan in time order. */
    List<RecordRef> build(List<Plan> plans) throws Exception {
      Instant end = now.get();
      List<RecordRef> refs = new ArrayList<>();
      for (int i = 0; i < plans.size(); i++) {
        Plan p = plans.get(i);
        RecordRef r = RecordRef.of(i % 2 == 0 ? DOC : NOTE, Integer.toString(i));
        records.insert(r, Optional.of("s" + p.subject()), Optional.of("t" + p.tenant()));
        if (p.eligibleHoursAgo().isPresent()) {
          lifecycle.markEligible(r, end.minus(Duration.ofHours(p.eligibleHoursAgo().get())));
        }
        refs.add(r);
      }
      for (int i = 0; i < plans.size(); i++) {
        Plan p = plans.get(i);
        RecordRef r = refs.get(i);
        if (p.deletedHoursAgo().isPresent()) {
          now.set(end.minus(Duration.ofHours(p.deletedHoursAgo().get())));
          lifecycle.softDelete(List.of(r), WHO);
        }
      }
      now.set(end);
      return refs;
    }
  }

  @Test
  void nothingHeldOrInsideItsWindowIsPurged_andEverythingDueIsPurgedInOneRun() throws Exception {
    PropertyRunner.forAll(200, c -> {
      List<Plan> plans = c.draw("plans", plans());
      int heldSubject = c.draw("heldSubject", Generators.ints(-1, 4));
      int heldTenant = c.draw("heldTenant", Generators.ints(-1, 2));
      World w = new World();
      List<RecordRef> refs = w.build(plans);
      if (heldSubject >= 0) {
        w.lifecycle.holdSubject("s" + heldSubject, "case", "legal", WHO);
      }
      if (heldTenant >= 0) {
        w.lifecycle.holdTenant("t" + heldTenant, "case", "legal", WHO);
      }
      for (int i = 0; i < plans.size(); i++) {
        if (plans.get(i).recordHold()) {
          w.lifecycle.holdRecord(refs.get(i), "case", "legal", WHO);
        }
      }
      Map<RecordRef, RecordState> before = new HashMap<>();
      for (RecordRef r : refs) {
        before.put(r, w.store.find(r).orElseThrow());
      }
      Instant at = w.now.get();

      w.runner.run(new PurgeRunner.Confirmation(WHO, Long.MAX_VALUE));

      for (int i = 0; i < refs.size(); i++) {
        Plan p = plans.get(i);
        RecordState s = before.get(refs.get(i));
        boolean held = p.recordHold() || p.subject() == heldSubject || p.tenant() == heldTenant;
        boolean due = s.purgeAfter().map(d -> !d.isAfter(at)).orElse(false);
        boolean present = w.store.find(refs.get(i)).isPresent();
        assertEquals(!due || held, present, "record " + i + " held=" + held + " due=" + due + " " + s);
      }
    });
  }

  @Test
  void restoreIsTheExactInverseOfSoftDelete() throws Exception {
    PropertyRunner.forAll(200, c -> {
      List<Plan> plans = c.draw("plans", plans());
      List<Integer> unit = c.draw("unit", Generators.lists(Generators.ints(0, 24), 1, 6));
      int hoursLater = c.draw("hoursLater", Generators.ints(0, 24 * 29));
      World w = new World();
      List<RecordRef> refs = w.build(plans);
      List<RecordRef> chosen = unit.stream().map(i -> refs.get(i % refs.size())).distinct()
          .filter(r -> !w.store.find(r).orElseThrow().deleted()).toList();
      if (chosen.isEmpty()) {
        return;
      }
      Map<RecordRef, RecordState> before = new HashMap<>();
      for (RecordRef r : refs) {
        before.put(r, w.store.find(r).orElseThrow());
      }
      SoftDeletion op = w.lifecycle.softDelete(chosen, WHO);
      w.now.updateAndGet(t -> t.plus(Duration.ofHours(hoursLater)));
      w.lifecycle.restore(op.id(), WHO);
      for (RecordRef r : refs) {
        assertEquals(before.get(r), w.store.find(r).orElseThrow());
      }
    });
  }

  /**
   * Every record a purge run deletes is named, with its subject, in exactly one piece of PURGED
   * evidence of that run, and the evidence names no record that is still there.
   */
  @Test
  void everyPurgedRecord_hasEvidence_andEvidenceNamesOnlyPurgedRecords() throws Exception {
    PropertyRunner.forAll(200, c -> {
      List<Plan> plans = c.draw("plans", plans());
      int heldSubject = c.draw("heldSubject", Generators.ints(-1, 4));
      World w = new World();
      List<RecordRef> refs = w.build(plans);
      if (heldSubject >= 0) {
        w.lifecycle.holdSubject("s" + heldSubject, "case", "legal", WHO);
      }
      for (int i = 0; i < plans.size(); i++) {
        if (plans.get(i).recordHold()) {
          w.lifecycle.holdRecord(refs.get(i), "case", "legal", WHO);
        }
      }
      int eventsBefore = w.events.size();

      PurgeReport report = w.runner.run(new PurgeRunner.Confirmation(WHO, Long.MAX_VALUE));

      Map<String, Integer> gone = new HashMap<>();
      for (int i = 0; i < refs.size(); i++) {
        if (w.store.find(refs.get(i)).isEmpty()) {
          gone.put(DeletionEvidence.hashRecord(refs.get(i)), i);
        }
      }
      List<String> evidenced = new ArrayList<>();
      for (LifecycleEvent e : w.events.subList(eventsBefore, w.events.size())) {
        if (e.type() != LifecycleEvent.Type.RECORDS_PURGED) {
          continue;
        }
        DeletionEvidence d = e.evidence().orElseThrow();
        assertEquals(DeletionEvidence.Kind.PURGED, d.kind());
        assertTrue(d.reference().contains(report.runId()), d.reference() + " does not name run " + report.runId());
        for (DeletionEvidence.Item item : d.items()) {
          Integer i = gone.get(item.recordHash());
          assertTrue(i != null, "evidence names a record that was not purged: " + item);
          assertEquals(refs.get(i).dataClass(), d.dataClass().orElseThrow());
          assertEquals(Optional.of(DeletionEvidence.hashSubject("s" + plans.get(i).subject())), item.subjectHash());
          evidenced.add(item.recordHash());
        }
      }
      assertEquals(gone.size(), evidenced.size(), "each purged record once: " + evidenced);
      assertEquals(gone.keySet(), new HashSet<>(evidenced));
      assertEquals(gone.size(), report.total());
    });
  }

  /** Actions that must never move an existing deadline. */
  enum Action { LENGTHEN_POLICY, SHORTEN_WITH_OVERRIDE, ADVANCE_DAY, MARK_AGAIN, DELETE_AND_RESTORE, PURGE_RUN, HOLD }

  @Test
  void deadlinesNeverMoveWithoutARecordedReevaluation() throws Exception {
    PropertyRunner.forAll(200, c -> {
      List<Plan> plans = c.draw("plans", plans());
      List<Action> actions = c.draw("actions", Generators.lists(Generators.oneOf(Action.values()), 0, 12));
      boolean reevaluateAtEnd = c.draw("reevaluateAtEnd", Generators.booleans());
      World w = new World();
      List<RecordRef> refs = w.build(plans);
      Map<RecordRef, Optional<Instant>> deadlines = new HashMap<>();
      for (RecordRef r : refs) {
        deadlines.put(r, w.store.find(r).orElseThrow().purgeAfter());
      }
      int step = 0;
      for (Action a : actions) {
        step++;
        RecordRef some = refs.get(step % refs.size());
        switch (a) {
          case LENGTHEN_POLICY:
            w.lifecycle.changePolicy(w.lifecycle.policy(DOC).withRetention(Period.ofDays(90 + step)), WHO, false);
            break;
          case SHORTEN_WITH_OVERRIDE:
            w.lifecycle.changePolicy(w.lifecycle.policy(NOTE).withRetention(Period.ofDays(step)), WHO, true);
            break;
          case ADVANCE_DAY:
            w.now.updateAndGet(t -> t.plus(Duration.ofDays(1)));
            break;
          case MARK_AGAIN:
            if (w.store.find(some).isPresent()) {
              w.lifecycle.markEligible(some, w.now.get());
            }
            break;
          case DELETE_AND_RESTORE:
            if (w.store.find(some).map(s -> !s.deleted()).orElse(false)) {
              w.lifecycle.restore(w.lifecycle.softDelete(List.of(some), WHO).id(), WHO);
            }
            break;
          case PURGE_RUN:
            w.runner.run(new PurgeRunner.Confirmation(WHO, Long.MAX_VALUE));
            break;
          case HOLD:
            w.lifecycle.holdRecord(some, "case", "legal", WHO);
            break;
          default:
            throw new IllegalStateException();
        }
      }
      for (RecordRef r : refs) {
        Optional<RecordState> s = w.store.find(r);
        if (s.isPresent() && deadlines.get(r).isPresent()) {
          assertEquals(deadlines.get(r), s.get().purgeAfter(), "deadline of " + r + " moved");
        }
      }
      assertTrue(w.events.stream().noneMatch(e -> e.type() == LifecycleEvent.Type.DEADLINES_REEVALUATED));
      if (reevaluateAtEnd) {
        w.lifecycle.reevaluate(NOTE, WHO);
        assertTrue(w.events.stream().anyMatch(e -> e.type() == LifecycleEvent.Type.DEADLINES_REEVALUATED));
        RetentionPolicy p = w.lifecycle.policy(NOTE);
        for (RecordRef r : refs) {
          w.store.find(r).filter(s -> r.dataClass().equals(NOTE) && !s.deleted() && s.eligibleAt().isPresent())
              .ifPresent(s -> assertEquals(Optional.of(p.deadlineFor(s.eligibleAt().get())), s.purgeAfter()));
        }
      }
    });
  }

  @Test
  void monthDeadlines_clampToTheEndOfTheMonth_inUtc() throws Exception {
    PropertyRunner.forAll(PropertyRunner.DEFAULT_TRIES, c -> {
      int months = c.draw("months", Generators.ints(1, 24));
      int dayOffset = c.draw("dayOffset", Generators.ints(0, 3650));
      int second = c.draw("second", Generators.ints(0, 86_399));
      Instant start = Instant.parse("2024-01-01T00:00:00Z").plus(Duration.ofDays(dayOffset)).plusSeconds(second);
      Instant d = RetentionPolicy.purgeAfter(DOC, Period.ofMonths(months)).deadlineFor(start);
      var s = start.atOffset(ZoneOffset.UTC);
      var e = d.atOffset(ZoneOffset.UTC);
      assertEquals(s.toLocalTime(), e.toLocalTime());
      assertEquals(Math.min(s.getDayOfMonth(), e.toLocalDate().lengthOfMonth()), e.getDayOfMonth());
      assertEquals(s.getYear() * 12L + s.getMonthValue() + months, e.getYear() * 12L + e.getMonthValue());
    });
  }
}
