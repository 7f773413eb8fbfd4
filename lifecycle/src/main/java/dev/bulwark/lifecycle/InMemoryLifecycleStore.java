package dev.bulwark.lifecycle;

import dev.bulwark.lifecycle.internal.Evidence;
import dev.bulwark.lifecycle.spi.KeyShredder;
import dev.bulwark.lifecycle.spi.LifecycleStore;
import dev.bulwark.lifecycle.spi.PurgeBatchRequest;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.lifecycle.spi.SoftDeletion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The in-process {@link LifecycleStore}: records, operations, holds and evidence in memory, for
 * a single node, for tests, and for hosts whose records live in memory. The host adds its
 * records with {@link #insert}. Thread-safe: every method holds the store's lock, so each is
 * atomic (including the host callbacks a purge batch makes).
 */
public final class InMemoryLifecycleStore implements LifecycleStore {

  private static final class Row {
    final RecordRef ref;
    final Optional<String> subject;
    final Optional<String> tenant;
    Optional<Instant> eligibleAt = Optional.empty();
    Optional<Instant> deletedAt = Optional.empty();
    Optional<Instant> purgeAfter = Optional.empty();
    Optional<OperationId> operation = Optional.empty();

    Row(RecordRef ref, Optional<String> subject, Optional<String> tenant) {
      this.ref = ref;
      this.subject = subject;
      this.tenant = tenant;
    }

    RecordState state() {
      return new RecordState(ref, subject, tenant, eligibleAt, deletedAt, purgeAfter, operation);
    }
  }

  private final Set<DataClass> dataClasses;
  private final Map<DataClass, TreeMap<String, Row>> rows = new HashMap<>();
  private final Map<OperationId, SoftDeletion> operations = new HashMap<>();
  private final Map<UUID, LegalHold> holds = new LinkedHashMap<>();
  private final Map<UUID, DeletionEvidence> evidence = new LinkedHashMap<>();
  private final Set<UUID> delivered = new HashSet<>();
  private Optional<Instant> watermark = Optional.empty();
  private Optional<Long> lastRows = Optional.empty();

  /** A store for records of these data classes. */
  public InMemoryLifecycleStore(Collection<DataClass> dataClasses) {
    this.dataClasses = Set.copyOf(dataClasses);
    if (this.dataClasses.isEmpty()) {
      throw new IllegalArgumentException("at least one data class");
    }
    for (DataClass c : this.dataClasses) {
      rows.put(c, new TreeMap<>());
    }
  }

  public static InMemoryLifecycleStore of(DataClass... dataClasses) {
    return new InMemoryLifecycleStore(List.of(dataClasses));
  }

  /** Adds a live record (what a host's INSERT is to the JDBC store). */
  public synchronized void insert(RecordRef ref, Optional<String> subject, Optional<String> tenant) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(tenant, "tenant");
    TreeMap<String, Row> table = table(ref.dataClass());
    if (table.containsKey(ref.id())) {
      throw new IllegalArgumentException("record " + ref + " exists");
    }
    table.put(ref.id(), new Row(ref, subject, tenant));
  }

  private TreeMap<String, Row> table(DataClass c) {
    TreeMap<String, Row> t = rows.get(c);
    if (t == null) {
      throw new UnknownDataClassException(c, "this store holds no records of it");
    }
    return t;
  }

  @Override
  public Set<DataClass> dataClasses() {
    return dataClasses;
  }

  @Override
  public synchronized Optional<RecordState> find(RecordRef ref) {
    return Optional.ofNullable(table(ref.dataClass()).get(ref.id())).map(Row::state);
  }

  @Override
  public synchronized boolean markEligible(RecordRef ref, Instant eligibleAt, Instant purgeAfter) {
    Row row = table(ref.dataClass()).get(ref.id());
    if (row == null) {
      throw new UnknownRecordException("no record " + ref);
    }
    if (row.purgeAfter.isPresent()) {
      return false;
    }
    row.eligibleAt = Optional.of(eligibleAt);
    row.purgeAfter = Optional.of(purgeAfter);
    return true;
  }

  @Override
  public synchronized List<RecordState> scheduled(DataClass dataClass, Optional<String> afterId, int limit) {
    List<RecordState> out = new ArrayList<>();
    Map<String, Row> view = afterId.isPresent() ? table(dataClass).tailMap(afterId.get(), false) : table(dataClass);
    for (Row r : view.values()) {
      if (out.size() >= limit) {
        break;
      }
      if (r.deletedAt.isEmpty() && r.purgeAfter.isPresent() && r.eligibleAt.isPresent()) {
        out.add(r.state());
      }
    }
    return out;
  }

  @Override
  public synchronized boolean moveDeadline(RecordRef ref, Instant expected, Instant purgeAfter) {
    Row row = table(ref.dataClass()).get(ref.id());
    if (row == null || row.deletedAt.isPresent() || !row.purgeAfter.equals(Optional.of(expected))) {
      return false;
    }
    row.purgeAfter = Optional.of(purgeAfter);
    return true;
  }

  @Override
  public synchronized SoftDeletion softDelete(SoftDeletion operation) {
    if (operations.containsKey(operation.id())) {
      throw new IllegalArgumentException("operation id " + operation.id() + " is already used");
    }
    List<Row> targets = new ArrayList<>();
    for (SoftDeletion.Entry e : operation.entries()) {
      Row row = table(e.ref().dataClass()).get(e.ref().id());
      if (row == null) {
        throw new UnknownRecordException("no record " + e.ref());
      }
      if (row.deletedAt.isPresent()) {
        throw new UnknownRecordException("record " + e.ref() + " is already deleted");
      }
      targets.add(row);
    }
    List<SoftDeletion.Entry> stored = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      Row row = targets.get(i);
      SoftDeletion.Entry e = operation.entries().get(i);
      Instant purge = Evidence.earlier(e.purgeAfter(), row.purgeAfter);
      stored.add(new SoftDeletion.Entry(e.ref(), purge, row.purgeAfter));
      row.deletedAt = Optional.of(operation.at());
      row.purgeAfter = Optional.of(purge);
      row.operation = Optional.of(operation.id());
    }
    SoftDeletion result = new SoftDeletion(operation.id(), operation.by(), operation.at(), stored, Optional.empty());
    operations.put(result.id(), result);
    return result;
  }

  @Override
  public synchronized Optional<SoftDeletion> operation(OperationId id) {
    return Optional.ofNullable(operations.get(id));
  }

  @Override
  public synchronized SoftDeletion restore(OperationId id, SoftDeletion.Restoration restoration) {
    SoftDeletion op = operations.get(id);
    if (op == null) {
      throw new UnknownOperationException(id);
    }
    if (op.restoration().isPresent()) {
      throw new OperationNotRestorableException("operation " + id + " was restored already");
    }
    List<Row> targets = new ArrayList<>();
    for (SoftDeletion.Entry e : op.entries()) {
      Row row = table(e.ref().dataClass()).get(e.ref().id());
      if (row == null || row.deletedAt.isEmpty() || row.purgeAfter.isEmpty()
          || !row.operation.equals(Optional.of(id))) {
        throw new OperationNotRestorableException(
            "operation " + id + " cannot be restored: record " + e.ref() + " was purged or anonymised");
      }
      if (Evidence.recoveryWindowEnded(e, restoration.at())) {
        throw new OperationNotRestorableException("operation " + id + " cannot be restored: the recovery window of "
            + e.ref() + " ended at " + e.purgeAfter());
      }
      targets.add(row);
    }
    for (int i = 0; i < targets.size(); i++) {
      Row row = targets.get(i);
      row.deletedAt = Optional.empty();
      row.operation = Optional.empty();
      row.purgeAfter = op.entries().get(i).priorPurgeAfter();
    }
    SoftDeletion restored = new SoftDeletion(op.id(), op.by(), op.at(), op.entries(), Optional.of(restoration));
    operations.put(id, restored);
    return restored;
  }

  private boolean held(Row r) {
    for (LegalHold h : holds.values()) {
      if (h.active() && h.covers(r.ref, r.subject, r.tenant)) {
        return true;
      }
    }
    return false;
  }

  private List<Row> candidates(DataClass c, Instant now, Optional<String> subject, int limit) {
    List<Row> out = new ArrayList<>();
    for (Row r : table(c).values()) {
      boolean selected = subject.isPresent()
          ? r.subject.equals(subject)
          : r.purgeAfter.map(p -> !p.isAfter(now)).orElse(false);
      if (selected && !held(r)) {
        out.add(r);
      }
    }
    out.sort(Comparator.comparing((Row r) -> r.purgeAfter.orElse(Instant.MIN)).thenComparing(r -> r.ref.id()));
    return out.size() > limit ? out.subList(0, limit) : out;
  }

  @Override
  public synchronized List<RecordState> due(DataClass dataClass, Instant now, int limit) {
    return candidates(dataClass, now, Optional.empty(), limit).stream().map(Row::state).toList();
  }

  @Override
  public synchronized long countDue(DataClass dataClass, Instant now) {
    return candidates(dataClass, now, Optional.empty(), Integer.MAX_VALUE).size();
  }

  @Override
  public synchronized long countForSubject(DataClass dataClass, String subject) {
    return table(dataClass).values().stream().filter(r -> r.subject.equals(Optional.of(subject))).count();
  }

  @Override
  public synchronized Optional<DeletionEvidence> purgeBatch(PurgeBatchRequest request) {
    RetentionPolicy.Action action = request.policy().action();
    List<Row> batch = candidates(request.policy().dataClass(), request.now(), request.subject(), request.limit());
    if (batch.isEmpty()) {
      return Optional.empty();
    }
    List<RecordState> states = batch.stream().map(Row::state).toList();
    Evidence.handOver(action, request.handler(), states, Optional.empty());
    TreeMap<String, Row> table = table(request.policy().dataClass());
    for (Row r : batch) {
      if (action == RetentionPolicy.Action.ANONYMISE) {
        r.purgeAfter = Optional.empty();
      } else {
        table.remove(r.ref.id());
      }
    }
    DeletionEvidence e = Evidence.forBatch(request, states);
    evidence.put(e.id(), e);
    return Optional.of(e);
  }

  @Override
  public synchronized void placeHold(LegalHold hold) {
    if (holds.containsKey(hold.id())) {
      throw new IllegalArgumentException("hold id " + hold.id() + " is already used");
    }
    holds.put(hold.id(), hold);
  }

  @Override
  public synchronized Optional<LegalHold> releaseHold(UUID id, LegalHold.Release release) {
    LegalHold h = holds.get(id);
    if (h == null || !h.active()) {
      return Optional.empty();
    }
    LegalHold released = h.released(release);
    holds.put(id, released);
    return Optional.of(released);
  }

  @Override
  public synchronized Optional<LegalHold> hold(UUID id) {
    return Optional.ofNullable(holds.get(id));
  }

  @Override
  public synchronized List<LegalHold> activeHolds() {
    return holds.values().stream().filter(LegalHold::active).toList();
  }

  @Override
  public synchronized List<LegalHold> holdsCovering(RecordState record) {
    return holds.values().stream()
        .filter(h -> h.active() && h.covers(record.ref(), record.subject(), record.tenant()))
        .toList();
  }

  @Override
  public synchronized Watermark watermark() {
    return new Watermark(watermark, lastRows);
  }

  @Override
  public synchronized void appendEvidence(DeletionEvidence e) {
    if (evidence.putIfAbsent(e.id(), e) != null) {
      throw new IllegalArgumentException("evidence id " + e.id() + " is already used");
    }
  }

  @Override
  public synchronized List<DeletionEvidence> pendingEvidence(int limit) {
    return evidence.values().stream().filter(e -> !delivered.contains(e.id())).limit(limit).toList();
  }

  @Override
  public synchronized void markDelivered(Collection<UUID> evidenceIds) {
    delivered.addAll(evidenceIds);
  }

  @Override
  public synchronized List<DeletionEvidence> evidenceForSubject(String subjectHash) {
    List<DeletionEvidence> out = new ArrayList<>();
    for (DeletionEvidence e : evidence.values()) {
      Evidence.narrow(e, subjectHash).ifPresent(out::add);
    }
    return out;
  }

  @Override
  public synchronized Watermark advanceWatermark(Instant startedAt) {
    Watermark before = new Watermark(watermark, lastRows);
    if (watermark.isEmpty() || startedAt.isAfter(watermark.get())) {
      watermark = Optional.of(startedAt);
    }
    return before;
  }

  @Override
  public synchronized DeletionEvidence destroyKey(String subject, Optional<String> tenant, KeyShredder shredder,
      Attribution by, String reference, Instant at) {
    List<LegalHold> blocking = holdsOnSubject(subject, tenant);
    if (!blocking.isEmpty()) {
      throw new LegalHoldException("key destruction refused: hold " + blocking.get(0).id() + " ("
          + blocking.get(0).reason() + ") covers the subject");
    }
    long remaining = 0;
    for (DataClass c : dataClasses) {
      remaining += countForSubject(c, subject);
    }
    if (remaining > 0) {
      throw new LegalHoldException("key destruction refused: " + remaining
          + " record(s) of the subject remain; the other records were erased");
    }
    DeletionEvidence e = Evidence.keyShredded(subject, Evidence.destroyKey(shredder, subject), at, by, reference);
    evidence.put(e.id(), e);
    return e;
  }

  @Override
  public synchronized void resetWatermark(Instant to, DeletionEvidence record) {
    appendEvidence(record);
    watermark = Optional.of(to);
  }

  @Override
  public synchronized OptionalLong size(DataClass dataClass) {
    return OptionalLong.of(table(dataClass).size());
  }

  @Override
  public synchronized void recordRunCompleted(long rowCount) {
    lastRows = Optional.of(rowCount);
  }
}
