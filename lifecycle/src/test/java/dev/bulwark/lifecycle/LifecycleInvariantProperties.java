package dev.bulwark.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.lifecycle.spi.HostRecords;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.lifecycle.spi.SoftDeletion;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Invariants of the lifecycle over random histories (seeded: {@code -Dbulwark.seed=N} replays one):
 * a restore puts back exactly what its operation deleted; a purge never deletes a held or
 * not-yet-due record and deletes every other due one; every purged record has evidence, once.
 */
class LifecycleInvariantProperties {

  private static final long SEED = Long.getLong("bulwark.seed", 0x13L);
  private static final int CASES = 300;
  private static final DataClass DOC = DataClass.of("doc");
  private static final DataClass NOTE = DataClass.of("note");
  private static final Attribution WHO = Attribution.of("prop", "test");

  private static final class World {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-31T10:00:00Z"));
    final InMemoryHostRecords records = HostRecords.inMemory(DOC, NOTE);
    final LifecycleStore store = LifecycleStore.inMemory(records);
    final List<LifecycleEvent> events = new ArrayList<>();
    final Lifecycle lifecycle = Lifecycle.builder(store)
        .policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(DOC, Period.ofDays(20)),
            RetentionPolicy.purgeAfter(NOTE, Period.ofMonths(1))))
        .clock(now::get).batchSize(3).listener(events::add).build();
    final PurgeRunner runner = PurgeRunner.builder(lifecycle).checkStoreClock(false).build();
    final List<RecordRef> refs = new ArrayList<>();

    World(SplittableRandom r) throws Exception {
      int n = 4 + r.nextInt(12);
      for (int i = 0; i < n; i++) {
        RecordRef ref = RecordRef.of(r.nextBoolean() ? DOC : NOTE, "r" + i);
        records.insert(ref, Optional.of("s" + r.nextInt(4)), Optional.of("t" + r.nextInt(3)));
        refs.add(ref);
        if (r.nextInt(3) > 0) {
          lifecycle.markEligible(ref, now.get().minus(Duration.ofDays(r.nextInt(40))));
        }
      }
    }

    RecordRef any(SplittableRandom r) {
      return refs.get(r.nextInt(refs.size()));
    }

    Map<RecordRef, Optional<RecordState>> snapshot() {
      Map<RecordRef, Optional<RecordState>> out = new HashMap<>();
      for (RecordRef ref : refs) {
        out.put(ref, store.find(ref));
      }
      return out;
    }
  }

  @Test
  void restoreIsExact_purgeSparesHeldAndNotYetDueRecords_andEveryPurgedRecordHasEvidenceOnce() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED);
    for (int n = 0; n < CASES; n++) {
      String where = "seed " + SEED + " case " + n;
      World w = new World(random);
      List<SoftDeletion> ops = new ArrayList<>();
      for (int step = random.nextInt(25); step >= 0; step--) {
        switch (random.nextInt(7)) {
          case 0: {
            List<RecordRef> unit = new ArrayList<>();
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
              RecordRef ref = w.any(random);
              if (!unit.contains(ref) && w.store.find(ref).map(s -> !s.deleted()).orElse(false)) {
                unit.add(ref);
              }
            }
            if (!unit.isEmpty()) {
              ops.add(w.lifecycle.softDelete(unit, WHO, Period.ofDays(1 + random.nextInt(20))));
            }
            break;
          }
          case 1:
            restoreAndCheck(w, ops, random, where);
            break;
          case 2:
            placeHold(w, random);
            break;
          case 3:
            if (!w.store.activeHolds().isEmpty() && random.nextInt(3) == 0) {
              List<LegalHold> active = w.store.activeHolds();
              w.lifecycle.releaseHold(active.get(random.nextInt(active.size())).id(), WHO);
            }
            break;
          case 4:
            w.now.updateAndGet(t -> t.plus(Duration.ofHours(1 + random.nextInt(24 * 15))));
            break;
          default:
            purgeAndCheck(w, where);
        }
      }
      w.now.updateAndGet(t -> t.plus(Duration.ofDays(60)));
      purgeAndCheck(w, where);
    }
  }

  private static void placeHold(World w, SplittableRandom random) {
    RecordRef ref = w.any(random);
    Optional<RecordState> s = w.store.find(ref);
    if (s.isEmpty()) {
      return;
    }
    switch (random.nextInt(4)) {
      case 0:
        w.lifecycle.holdRecord(ref, "case", "legal", WHO);
        break;
      case 1:
        w.lifecycle.holdSubject(s.get().subject().orElseThrow(), "case", "legal", WHO);
        break;
      case 2:
        w.lifecycle.holdTenant(s.get().tenant().orElseThrow(), "case", "legal", WHO);
        break;
      default:
        w.lifecycle.holdClass(ref.dataClass(), "case", "legal", WHO);
    }
  }

  private static void restoreAndCheck(World w, List<SoftDeletion> ops, SplittableRandom random, String where)
      throws Exception {
    if (ops.isEmpty()) {
      return;
    }
    SoftDeletion op = ops.get(random.nextInt(ops.size()));
    Map<RecordRef, Optional<RecordState>> before = w.snapshot();
    SoftDeletion stored = w.store.operation(op.id()).orElseThrow();
    try {
      w.lifecycle.restore(op.id(), WHO);
    } catch (OperationNotRestorableException refused) {
      assertEquals(before, w.snapshot(), where + ": a refused restore changes nothing");
      return;
    }
    for (RecordRef ref : w.refs) {
      Optional<SoftDeletion.Entry> entry = stored.entries().stream().filter(e -> e.ref().equals(ref)).findFirst();
      if (entry.isEmpty()) {
        assertEquals(before.get(ref), w.store.find(ref), where + ": restore touched " + ref + " outside its unit");
      } else {
        RecordState after = w.store.find(ref).orElseThrow(() -> new AssertionError(where + ": restore lost " + ref));
        assertTrue(after.deletedAt().isEmpty(), where + ": " + ref + " still deleted");
        assertEquals(entry.get().priorPurgeAfter(), after.purgeAfter(), where + ": deadline of " + ref + " not restored");
        assertTrue(entry.get().purgeAfter().isAfter(w.now.get()) || !entry.get().priorPurgeAfter().map(
            p -> p.isAfter(entry.get().purgeAfter())).orElse(true), where + ": restored after its window");
      }
    }
  }

  private static void purgeAndCheck(World w, String where) throws Exception {
    Instant at = w.now.get();
    Map<RecordRef, Optional<RecordState>> before = w.snapshot();
    Map<RecordRef, Boolean> held = new HashMap<>();
    for (RecordRef ref : w.refs) {
      before.get(ref).ifPresent(s -> held.put(ref, !w.store.holdsCovering(s).isEmpty()));
    }
    int firstEvent = w.events.size();
    w.runner.run(new PurgeRunner.Confirmation(WHO, Long.MAX_VALUE));
    Set<String> evidenced = new HashSet<>();
    List<String> all = new ArrayList<>();
    for (LifecycleEvent e : w.events.subList(firstEvent, w.events.size())) {
      if (e.type() == LifecycleEvent.Type.RECORDS_PURGED) {
        e.evidence().orElseThrow().items().forEach(i -> {
          evidenced.add(i.recordHash());
          all.add(i.recordHash());
        });
      }
    }
    assertEquals(evidenced.size(), all.size(), where + ": a record purged twice");
    for (RecordRef ref : w.refs) {
      Optional<RecordState> s = before.get(ref);
      if (s.isEmpty()) {
        continue;
      }
      boolean due = s.get().purgeAfter().map(d -> !d.isAfter(at)).orElse(false);
      boolean present = w.store.find(ref).isPresent();
      boolean shouldGo = due && !held.get(ref);
      assertEquals(!shouldGo, present, where + ": " + ref + " due=" + due + " held=" + held.get(ref) + " " + s.get());
      assertEquals(shouldGo, evidenced.contains(DeletionEvidence.hashRecord(ref)), where + ": evidence of " + ref);
    }
    assertTrue(w.store.pendingEvidence(10).isEmpty(), where + ": evidence left undelivered");
  }
}
