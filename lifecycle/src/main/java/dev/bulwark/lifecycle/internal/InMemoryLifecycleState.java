package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.DeletionEvidence;
import dev.bulwark.lifecycle.LegalHold;
import dev.bulwark.lifecycle.LifecycleStore.Watermark;
import dev.bulwark.lifecycle.OperationId;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.lifecycle.spi.SoftDeletion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The state Bulwark owns, in memory: soft-delete operations, legal holds, deletion evidence
 * (with its delivery marks) and the purge watermark. Not thread-safe on its own: its owner
 * ({@link HostRecordsStore}) calls it under its lock.
 */
final class InMemoryLifecycleState {

  private final Map<OperationId, SoftDeletion> operations = new HashMap<>();
  private final Map<UUID, LegalHold> holds = new LinkedHashMap<>();
  private final Map<UUID, DeletionEvidence> evidence = new LinkedHashMap<>();
  private final Set<UUID> delivered = new HashSet<>();
  private Optional<Instant> watermark = Optional.empty();
  private Optional<Long> lastRows = Optional.empty();

  // ------------------------------------------------------------ operations

  boolean hasOperation(OperationId id) {
    return operations.containsKey(id);
  }

  Optional<SoftDeletion> operation(OperationId id) {
    return Optional.ofNullable(operations.get(id));
  }

  void putOperation(SoftDeletion op) {
    operations.put(op.id(), op);
  }

  // ------------------------------------------------------------ holds

  void placeHold(LegalHold hold) {
    if (holds.containsKey(hold.id())) {
      throw new IllegalArgumentException("hold id " + hold.id() + " is already used");
    }
    holds.put(hold.id(), hold);
  }

  Optional<LegalHold> releaseHold(UUID id, LegalHold.Release release) {
    LegalHold h = holds.get(id);
    if (h == null || !h.active()) {
      return Optional.empty();
    }
    LegalHold released = h.released(release);
    holds.put(id, released);
    return Optional.of(released);
  }

  Optional<LegalHold> hold(UUID id) {
    return Optional.ofNullable(holds.get(id));
  }

  List<LegalHold> activeHolds() {
    return holds.values().stream().filter(LegalHold::active).toList();
  }

  List<LegalHold> holdsCovering(RecordState r) {
    return holds.values().stream().filter(h -> h.active() && h.covers(r.ref(), r.subject(), r.tenant())).toList();
  }

  boolean held(RecordState r) {
    for (LegalHold h : holds.values()) {
      if (h.active() && h.covers(r.ref(), r.subject(), r.tenant())) {
        return true;
      }
    }
    return false;
  }

  // ------------------------------------------------------------ evidence

  void appendEvidence(DeletionEvidence e) {
    if (evidence.putIfAbsent(e.id(), e) != null) {
      throw new IllegalArgumentException("evidence id " + e.id() + " is already used");
    }
  }

  List<DeletionEvidence> pendingEvidence(int limit) {
    return evidence.values().stream().filter(e -> !delivered.contains(e.id())).limit(limit).toList();
  }

  void markDelivered(Collection<UUID> ids) {
    delivered.addAll(ids);
  }

  List<DeletionEvidence> evidenceForSubject(String subjectHash) {
    List<DeletionEvidence> out = new ArrayList<>();
    for (DeletionEvidence e : evidence.values()) {
      Evidence.narrow(e, subjectHash).ifPresent(out::add);
    }
    return out;
  }

  // ------------------------------------------------------------ watermark

  Watermark watermark() {
    return new Watermark(watermark, lastRows);
  }

  Watermark advanceWatermark(Instant startedAt) {
    Watermark before = watermark();
    if (watermark.isEmpty() || startedAt.isAfter(watermark.get())) {
      watermark = Optional.of(startedAt);
    }
    return before;
  }

  void resetWatermark(Instant to) {
    watermark = Optional.of(to);
  }

  void recordRunCompleted(long rows) {
    lastRows = Optional.of(rows);
  }
}
