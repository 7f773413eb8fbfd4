package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.DeletionEvidence;
import dev.bulwark.lifecycle.LegalHold;
import dev.bulwark.lifecycle.LegalHoldException;
import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.LifecycleStoreException;
import dev.bulwark.lifecycle.OperationId;
import dev.bulwark.lifecycle.OperationNotRestorableException;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.UnknownDataClassException;
import dev.bulwark.lifecycle.UnknownOperationException;
import dev.bulwark.lifecycle.UnknownRecordException;
import dev.bulwark.lifecycle.spi.HostRecords;
import dev.bulwark.lifecycle.spi.KeyShredder;
import dev.bulwark.lifecycle.spi.PurgeBatchRequest;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.lifecycle.spi.SoftDeletion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Bulwark's store over a host's {@link HostRecords}, with the state Bulwark owns (operations,
 * holds, evidence, watermark) in memory. Every method holds this store's lock, so hold placement
 * is serialised against purge batches and key destruction, and each step is atomic towards other
 * lifecycle calls. The host's own writes are noticed through {@link HostRecords#replace}'s
 * compare-and-set: a step that finds a record changed under it undoes what it did and changes nothing.
 */
public final class HostRecordsStore implements LifecycleStore {

  private final HostRecords records;
  private final Set<DataClass> dataClasses;
  private final InMemoryLifecycleState state = new InMemoryLifecycleState();

  public HostRecordsStore(HostRecords records) {
    this.records = Objects.requireNonNull(records, "records");
    this.dataClasses = Set.copyOf(records.dataClasses());
    if (dataClasses.isEmpty()) {
      throw new IllegalArgumentException("the host records name no data class");
    }
  }

  private void known(DataClass c) {
    if (!dataClasses.contains(c)) {
      throw new UnknownDataClassException(c, "the host keeps no records of it");
    }
  }

  private Optional<RecordState> read(RecordRef ref) {
    known(ref.dataClass());
    return Objects.requireNonNull(records.find(ref), "HostRecords.find returned null");
  }

  private static RecordState with(RecordState r, Optional<Instant> eligibleAt, Optional<Instant> deletedAt,
      Optional<Instant> purgeAfter, Optional<OperationId> operation) {
    return new RecordState(r.ref(), r.subject(), r.tenant(), eligibleAt, deletedAt, purgeAfter, operation);
  }

  private Predicate<RecordState> notHeld() {
    return r -> !state.held(r);
  }

  @Override
  public Set<DataClass> dataClasses() {
    return dataClasses;
  }

  @Override
  public synchronized Optional<RecordState> find(RecordRef ref) {
    return read(ref);
  }

  @Override
  public synchronized boolean markEligible(RecordRef ref, Instant eligibleAt, Instant purgeAfter)
      throws UnknownRecordException {
    while (true) {
      RecordState r = read(ref).orElseThrow(() -> new UnknownRecordException("no record " + ref));
      if (r.purgeAfter().isPresent()) {
        return false;
      }
      if (records.replace(r, with(r, Optional.of(eligibleAt), r.deletedAt(), Optional.of(purgeAfter),
          r.operation()))) {
        return true;
      }
    }
  }

  @Override
  public synchronized List<RecordState> scheduled(DataClass dataClass, Optional<String> afterId, int limit) {
    known(dataClass);
    return records.scheduled(dataClass, afterId, limit);
  }

  @Override
  public synchronized boolean moveDeadline(RecordRef ref, Instant expected, Instant purgeAfter) {
    Optional<RecordState> found = read(ref);
    if (found.isEmpty() || found.get().deleted() || !found.get().purgeAfter().equals(Optional.of(expected))) {
      return false;
    }
    RecordState r = found.get();
    return records.replace(r, with(r, r.eligibleAt(), r.deletedAt(), Optional.of(purgeAfter), r.operation()));
  }

  /** Applies each change in order; if one finds its record changed, undoes the earlier ones and says which failed. */
  private Optional<RecordRef> applyAll(List<RecordState> before, List<RecordState> after) {
    for (int i = 0; i < before.size(); i++) {
      if (!records.replace(before.get(i), after.get(i))) {
        for (int j = i - 1; j >= 0; j--) {
          records.replace(after.get(j), before.get(j));
        }
        return Optional.of(before.get(i).ref());
      }
    }
    return Optional.empty();
  }

  @Override
  public synchronized SoftDeletion softDelete(SoftDeletion operation) throws UnknownRecordException {
    if (state.hasOperation(operation.id())) {
      throw new IllegalArgumentException("operation id " + operation.id() + " is already used");
    }
    List<RecordState> before = new ArrayList<>();
    List<RecordState> after = new ArrayList<>();
    List<SoftDeletion.Entry> stored = new ArrayList<>();
    for (SoftDeletion.Entry e : operation.entries()) {
      RecordState r = read(e.ref()).orElseThrow(() -> new UnknownRecordException("no record " + e.ref()));
      if (r.deleted()) {
        throw new UnknownRecordException("record " + e.ref() + " is already deleted");
      }
      Instant purge = Evidence.earlier(e.purgeAfter(), r.purgeAfter());
      stored.add(new SoftDeletion.Entry(e.ref(), purge, r.purgeAfter()));
      before.add(r);
      after.add(with(r, r.eligibleAt(), Optional.of(operation.at()), Optional.of(purge),
          Optional.of(operation.id())));
    }
    Optional<RecordRef> changed = applyAll(before, after);
    if (changed.isPresent()) {
      throw new UnknownRecordException("record " + changed.get() + " changed while it was being deleted;"
          + " nothing was deleted");
    }
    SoftDeletion result = new SoftDeletion(operation.id(), operation.by(), operation.at(), stored, Optional.empty());
    state.putOperation(result);
    return result;
  }

  @Override
  public synchronized Optional<SoftDeletion> operation(OperationId id) {
    return state.operation(id);
  }

  @Override
  public synchronized SoftDeletion restore(OperationId id, SoftDeletion.Restoration restoration)
      throws UnknownOperationException, OperationNotRestorableException {
    SoftDeletion op = state.operation(id).orElseThrow(() -> new UnknownOperationException(id));
    if (op.restoration().isPresent()) {
      throw new OperationNotRestorableException("operation " + id + " was restored already");
    }
    List<RecordState> before = new ArrayList<>();
    List<RecordState> after = new ArrayList<>();
    for (SoftDeletion.Entry e : op.entries()) {
      Optional<RecordState> found = read(e.ref());
      if (found.isEmpty() || !found.get().deleted() || found.get().purgeAfter().isEmpty()
          || !found.get().operation().equals(Optional.of(id))) {
        throw new OperationNotRestorableException(
            "operation " + id + " cannot be restored: record " + e.ref() + " was purged or anonymised");
      }
      if (Evidence.recoveryWindowEnded(e, restoration.at())) {
        throw new OperationNotRestorableException("operation " + id + " cannot be restored: the recovery window of "
            + e.ref() + " ended at " + e.purgeAfter());
      }
      RecordState r = found.get();
      before.add(r);
      after.add(with(r, r.eligibleAt(), Optional.empty(), e.priorPurgeAfter(), Optional.empty()));
    }
    Optional<RecordRef> changed = applyAll(before, after);
    if (changed.isPresent()) {
      throw new OperationNotRestorableException("operation " + id + " cannot be restored: record " + changed.get()
          + " changed while it was being restored; nothing was restored");
    }
    SoftDeletion restored = new SoftDeletion(op.id(), op.by(), op.at(), op.entries(), Optional.of(restoration));
    state.putOperation(restored);
    return restored;
  }

  @Override
  public synchronized List<RecordState> due(DataClass dataClass, Instant now, int limit) {
    known(dataClass);
    return records.due(dataClass, now, notHeld(), limit);
  }

  @Override
  public synchronized long countDue(DataClass dataClass, Instant now) {
    known(dataClass);
    return records.due(dataClass, now, notHeld(), Integer.MAX_VALUE).size();
  }

  @Override
  public synchronized long countForSubject(DataClass dataClass, String subject) {
    known(dataClass);
    return records.ofSubject(dataClass, subject, r -> true, Integer.MAX_VALUE).size();
  }

  @Override
  public synchronized Optional<DeletionEvidence> purgeBatch(PurgeBatchRequest request) {
    DataClass c = request.policy().dataClass();
    known(c);
    RetentionPolicy.Action action = request.policy().action();
    // The holds are checked here, under the lock that hold placement takes too.
    List<RecordState> batch = request.subject().isPresent()
        ? records.ofSubject(c, request.subject().get(), notHeld(), request.limit())
        : records.due(c, request.now(), notHeld(), request.limit());
    if (batch.isEmpty()) {
      return Optional.empty();
    }
    Evidence.handOver(action, request.handler(), batch, Optional.empty());
    if (action == RetentionPolicy.Action.ANONYMISE) {
      List<RecordState> cleared = batch.stream()
          .map(r -> with(r, r.eligibleAt(), r.deletedAt(), Optional.empty(), r.operation())).toList();
      Optional<RecordRef> changed = applyAll(batch, cleared);
      if (changed.isPresent()) {
        throw new LifecycleStoreException("record " + changed.get()
            + " changed while its batch was anonymised; the batch's deadlines were kept, retry", null);
      }
    } else {
      records.delete(batch.stream().map(RecordState::ref).toList());
    }
    DeletionEvidence e = Evidence.forBatch(request, batch);
    state.appendEvidence(e);
    return Optional.of(e);
  }

  @Override
  public synchronized void placeHold(LegalHold hold) {
    hold.dataClass().ifPresent(this::known);
    state.placeHold(hold);
  }

  @Override
  public synchronized Optional<LegalHold> releaseHold(UUID id, LegalHold.Release release) {
    return state.releaseHold(id, release);
  }

  @Override
  public synchronized Optional<LegalHold> hold(UUID id) {
    return state.hold(id);
  }

  @Override
  public synchronized List<LegalHold> activeHolds() {
    return state.activeHolds();
  }

  @Override
  public synchronized List<LegalHold> holdsCovering(RecordState record) {
    return state.holdsCovering(record);
  }

  @Override
  public synchronized void appendEvidence(DeletionEvidence evidence) {
    state.appendEvidence(evidence);
  }

  @Override
  public synchronized List<DeletionEvidence> pendingEvidence(int limit) {
    return state.pendingEvidence(limit);
  }

  @Override
  public synchronized void markDelivered(Collection<UUID> evidenceIds) {
    state.markDelivered(evidenceIds);
  }

  @Override
  public synchronized List<DeletionEvidence> evidenceForSubject(String subjectHash) {
    return state.evidenceForSubject(subjectHash);
  }

  @Override
  public synchronized Watermark watermark() {
    return state.watermark();
  }

  @Override
  public synchronized Watermark advanceWatermark(Instant startedAt) {
    return state.advanceWatermark(startedAt);
  }

  @Override
  public synchronized void recordRunCompleted(long rows) {
    state.recordRunCompleted(rows);
  }

  @Override
  public synchronized DeletionEvidence destroyKey(String subject, Optional<String> tenant, KeyShredder shredder,
      Attribution by, String reference, Instant at) throws LegalHoldException {
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
    state.appendEvidence(e);
    return e;
  }

  @Override
  public synchronized void resetWatermark(Instant to, DeletionEvidence record) {
    state.appendEvidence(record);
    state.resetWatermark(to);
  }

  @Override
  public synchronized OptionalLong size(DataClass dataClass) {
    known(dataClass);
    return records.size(dataClass);
  }
}
