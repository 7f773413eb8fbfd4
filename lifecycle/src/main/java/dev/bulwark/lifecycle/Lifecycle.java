package dev.bulwark.lifecycle;

import dev.bulwark.lifecycle.internal.Evidence;
import dev.bulwark.lifecycle.spi.ExpiryHandler;
import dev.bulwark.lifecycle.spi.KeyShredder;
import dev.bulwark.lifecycle.spi.LifecycleListener;
import dev.bulwark.lifecycle.spi.PurgeBatchRequest;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.lifecycle.spi.SoftDeletion;
import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;
import java.time.Period;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The lifecycle of a host's records: retention deadlines, soft delete with exact restore, legal
 * holds, "why is this not purged yet?", erasure requests with an optional key destruction, and
 * the {@link PurgeRunner} that deletes what is due.
 *
 * <pre>{@code
 * import static dev.bulwark.audit.AuditEvents.toAuditEvent;
 *
 * import dev.bulwark.audit.AuditLog;
 * import java.time.Period;
 *
 * // Given: LifecycleStore store, AuditLog auditLog, RecordRef user, RecordRef session
 * Lifecycle lifecycle = Lifecycle.builder(store)
 *     .policies(RetentionPolicies.defaultsWith(RetentionPolicy.purgeAfter(DataClass.of("invoice"), Period.ofYears(7))))
 *     .listener(e -> auditLog.append(toAuditEvent(e.name(), e.subject(), e.at(), Optional.empty(), e.auditDetails())))
 *     .build();
 * SoftDeletion op = lifecycle.softDelete(List.of(user, session), Attribution.of("alice", "user request"));
 * lifecycle.restore(op.id(), Attribution.of("bob", "ticket 42"));
 * }</pre>
 *
 * <p>Thread-safe; every state change is one atomic store call, so several nodes may share a store.
 *
 * <p>Security considerations: nothing is ever deleted outside a purge batch, which re-checks the
 * legal holds inside its transaction. An expected refusal (a hold, an unknown record or
 * operation, a policy limit, a safety rail) throws a checked {@link LifecycleException} with its
 * {@link LifecycleException.Reason}; bad input an {@link IllegalArgumentException} (an unknown
 * data class: {@link UnknownDataClassException}); a failure of the store's infrastructure an
 * unchecked {@link LifecycleStoreException}. Each leaves the store as it was.
 */
public final class Lifecycle {

  private final LifecycleStore store;
  private final RetentionPolicies policies;
  private final InstantSource clock;
  private final LifecycleListener listener;
  private final ExpiryHandler expiryHandler;
  private final Optional<KeyShredder> keyShredder;
  private final int batchSize;

  private Lifecycle(Builder b) {
    this.store = b.store;
    this.policies = b.policies;
    this.clock = b.clock;
    this.listener = b.listener;
    this.expiryHandler = b.expiryHandler;
    this.keyShredder = b.keyShredder;
    this.batchSize = b.batchSize;
  }

  public static Builder builder(LifecycleStore store) {
    return new Builder(store);
  }

  /** Configures a {@link Lifecycle}; {@link #build()} checks that every store class has a policy. */
  public static final class Builder {
    private final LifecycleStore store;
    private RetentionPolicies policies = RetentionPolicies.defaults();
    private InstantSource clock = Clock.systemUTC();
    private LifecycleListener listener = LifecycleListener.NONE;
    private ExpiryHandler expiryHandler = ExpiryHandler.NONE;
    private Optional<KeyShredder> keyShredder = Optional.empty();
    private int batchSize = 1000;

    private Builder(LifecycleStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    public Builder policies(RetentionPolicies p) {
      this.policies = Objects.requireNonNull(p, "policies");
      return this;
    }

    /** The time source; defaults to {@link Clock#systemUTC()}. */
    public Builder clock(InstantSource c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    public Builder listener(LifecycleListener l) {
      this.listener = Objects.requireNonNull(l, "listener");
      return this;
    }

    public Builder expiryHandler(ExpiryHandler h) {
      this.expiryHandler = Objects.requireNonNull(h, "expiryHandler");
      return this;
    }

    public Builder keyShredder(KeyShredder k) {
      this.keyShredder = Optional.of(Objects.requireNonNull(k, "keyShredder"));
      return this;
    }

    /** Rows per purge transaction: 1 to 10,000, default 1,000. */
    public Builder batchSize(int rows) {
      if (rows < 1 || rows > PurgeBatchRequest.MAX_LIMIT) {
        throw new IllegalArgumentException("batchSize must be between 1 and " + PurgeBatchRequest.MAX_LIMIT);
      }
      this.batchSize = rows;
      return this;
    }

    public Lifecycle build() {
      for (DataClass c : store.dataClasses()) {
        policies.get(c);
      }
      for (RetentionPolicy p : policies.all()) {
        if (p.action() != RetentionPolicy.Action.PURGE && expiryHandler == ExpiryHandler.NONE
            && store.dataClasses().contains(p.dataClass())) {
          throw new IllegalStateException("policy " + p.describe() + " needs an ExpiryHandler");
        }
      }
      return new Lifecycle(this);
    }
  }

  LifecycleStore store() {
    return store;
  }

  int batchSize() {
    return batchSize;
  }

  ExpiryHandler expiryHandler() {
    return expiryHandler;
  }

  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  InstantSource clock() {
    return clock;
  }

  /** A purge runner with default safety rails; see {@link PurgeRunner#builder}. */
  public PurgeRunner purgeRunner() {
    return PurgeRunner.builder(this).build();
  }

  /** The policy of a class; throws {@link UnknownDataClassException} for an unknown class. */
  public RetentionPolicy policy(DataClass dataClass) {
    return policies.get(dataClass);
  }

  /** A policy of a class the store holds records of. */
  private RetentionPolicy managed(DataClass dataClass) {
    RetentionPolicy p = policies.get(dataClass);
    if (!store.dataClasses().contains(dataClass)) {
      throw new UnknownDataClassException(dataClass, "the store holds no records of it");
    }
    return p;
  }

  /**
   * Changes a class's policy (see {@link RetentionPolicies} for the mode rules) and records it.
   * Existing deadlines stay where they are until {@link #reevaluate}.
   *
   * @param authorisedOverride the caller asserts that {@code by} is authorised to shorten a
   *     GOVERNANCE policy; the override is recorded as {@code POLICY_OVERRIDDEN}
   */
  public RetentionPolicy changePolicy(RetentionPolicy next, Attribution by, boolean authorisedOverride)
      throws PolicyViolationException {
    Objects.requireNonNull(by, "by");
    RetentionPolicy before = policies.get(next.dataClass());
    RetentionPolicy after = policies.change(next, authorisedOverride);
    boolean overridden = RetentionPolicies.shortens(before, after);
    emit(overridden ? LifecycleEvent.Type.POLICY_OVERRIDDEN : LifecycleEvent.Type.POLICY_CHANGED, by,
        Map.of("data_class", after.dataClass().name(), "from", before.describe(), "to", after.describe()));
    return after;
  }

  /**
   * Starts a live record's retention clock at {@code eligibleAt} (its creation, or the event
   * that starts retention) and fixes its deadline. A record that already has a deadline keeps it.
   *
   * @return the record's deadline
   */
  public Instant markEligible(RecordRef ref, Instant eligibleAt) throws UnknownRecordException {
    RetentionPolicy p = managed(ref.dataClass());
    Instant at = eligibleAt.truncatedTo(ChronoUnit.MICROS);
    Instant deadline = p.deadlineFor(at);
    if (store.markEligible(ref, at, deadline)) {
      return deadline;
    }
    return store.find(ref).flatMap(RecordState::purgeAfter)
        .orElseThrow(() -> new UnknownRecordException("no record " + ref));
  }

  /**
   * Recomputes the deadline of every live, scheduled record of the class from its eligible time
   * and the current policy, and records it: the only way an existing deadline moves. Under a
   * COMPLIANCE policy a deadline never moves earlier.
   *
   * @return how many deadlines moved
   */
  public long reevaluate(DataClass dataClass, Attribution by) {
    Objects.requireNonNull(by, "by");
    RetentionPolicy p = managed(dataClass);
    long moved = 0;
    Optional<String> after = Optional.empty();
    while (true) {
      List<RecordState> page = store.scheduled(dataClass, after, batchSize);
      for (RecordState r : page) {
        Instant current = r.purgeAfter().orElseThrow();
        Instant next = p.deadlineFor(r.eligibleAt().orElseThrow());
        if (p.mode() == RetentionPolicy.Mode.COMPLIANCE && next.isBefore(current)) {
          continue;
        }
        if (!next.equals(current) && store.moveDeadline(r.ref(), current, next)) {
          moved++;
        }
      }
      if (page.size() < batchSize) {
        break;
      }
      after = Optional.of(page.get(page.size() - 1).ref().id());
    }
    emit(LifecycleEvent.Type.DEADLINES_REEVALUATED, by,
        Map.of("data_class", dataClass.name(), "policy", p.describe(), "moved", Long.toString(moved)));
    return moved;
  }

  /** Soft deletes a unit of records with the default recovery window (30 days, capped by each class's policy). */
  public SoftDeletion softDelete(Collection<RecordRef> unit, Attribution by)
      throws PolicyViolationException, UnknownRecordException {
    return softDelete(unit, by, RetentionPolicy.DEFAULT_RECOVERY_WINDOW);
  }

  /**
   * Soft deletes a unit of records, possibly of several classes, as one operation. Each record's
   * purge date is fixed now: {@code now + recoveryWindow}, or its retention deadline when earlier.
   *
   * @throws PolicyViolationException when the window is longer than a class's policy allows
   * @throws UnknownRecordException when a record does not exist or is deleted (nothing changes)
   */
  public SoftDeletion softDelete(Collection<RecordRef> unit, Attribution by, Period recoveryWindow)
      throws PolicyViolationException, UnknownRecordException {
    Objects.requireNonNull(by, "by");
    Periods.requireSane(recoveryWindow, "recoveryWindow");
    if (unit.isEmpty()) {
      throw new IllegalArgumentException("nothing to delete");
    }
    Instant now = now();
    List<SoftDeletion.Entry> entries = new ArrayList<>();
    for (RecordRef ref : unit) {
      RetentionPolicy p = managed(ref.dataClass());
      if (!Periods.atLeast(p.maxRecoveryWindow(), recoveryWindow)) {
        throw new PolicyViolationException("recovery window " + recoveryWindow + " is longer than "
            + p.describe() + " allows (" + p.maxRecoveryWindow() + ")");
      }
      entries.add(new SoftDeletion.Entry(ref, RetentionPolicy.plus(now, recoveryWindow), Optional.empty()));
    }
    SoftDeletion op = store.softDelete(new SoftDeletion(OperationId.random(), by, now, entries, Optional.empty()));
    emit(LifecycleEvent.Type.SOFT_DELETED, by, Map.of("operation", op.id().toString(),
        "records", Integer.toString(op.entries().size()), "recovery_window", recoveryWindow.toString()));
    return op;
  }

  /**
   * Restores exactly what the operation deleted, with each record's previous deadline.
   *
   * @throws UnknownOperationException for an unknown operation
   * @throws OperationNotRestorableException when restored already or partly purged (nothing changes)
   */
  public SoftDeletion restore(OperationId id, Attribution by)
      throws UnknownOperationException, OperationNotRestorableException {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(by, "by");
    SoftDeletion op = store.restore(id, new SoftDeletion.Restoration(by, now()));
    emit(LifecycleEvent.Type.RESTORED, by,
        Map.of("operation", id.toString(), "records", Integer.toString(op.entries().size())));
    return op;
  }

  /** Why the record is not purged yet, or that it is due, at the current time. */
  public Explanation explain(RecordRef ref) {
    RetentionPolicy p = managed(ref.dataClass());
    Instant now = now();
    Optional<RecordState> found = store.find(ref);
    if (found.isEmpty()) {
      return new Explanation(ref, Explanation.Status.NOT_FOUND, found, p, List.of(), now,
          List.of("no such record: it never existed or was already purged (see the erasure evidence)"));
    }
    RecordState r = found.get();
    List<LegalHold> holds = store.holdsCovering(r);
    List<String> reasons = new ArrayList<>();
    for (LegalHold h : holds) {
      reasons.add("legal hold " + h.id() + " (" + h.scope() + " " + h.target() + ", owner " + h.owner()
          + ", reason: " + h.reason() + ") blocks the purge until released");
    }
    Explanation.Status status;
    if (r.purgeAfter().isEmpty()) {
      status = Explanation.Status.NO_DEADLINE;
      reasons.add(r.deleted() ? "anonymised or archived: no deadline remains"
          : "live and its retention clock has not started (" + p.describe() + ")");
    } else if (r.purgeAfter().get().isAfter(now)) {
      status = r.deleted() ? Explanation.Status.IN_RECOVERY_WINDOW : Explanation.Status.RETAINED_BY_POLICY;
      reasons.add(r.deleted()
          ? "soft deleted at " + r.deletedAt().get() + r.operation().map(o -> " by operation " + o).orElse("")
              + "; recoverable until " + r.purgeAfter().get()
          : "kept by policy " + p.describe() + " until " + r.purgeAfter().get());
    } else if (!holds.isEmpty()) {
      status = Explanation.Status.HELD;
      reasons.add("deadline " + r.purgeAfter().get() + " has passed, but the record is held");
    } else {
      status = Explanation.Status.DUE;
      reasons.add("deadline " + r.purgeAfter().get() + " has passed: the next purge run " + p.action() + "s it");
    }
    if (!holds.isEmpty() && status != Explanation.Status.HELD) {
      reasons.add("even after that, the holds above keep it");
    }
    return new Explanation(ref, status, found, p, holds, now, reasons);
  }

  /**
   * Holds one record, however its id is spelled: the hold is stored on the id's canonical form
   * (for a bigint column {@code 007} is {@code 7}; a UUID is lower case).
   *
   * @throws IllegalArgumentException when the id cannot name a record of the class (it does not
   *     parse as the id column's type); nothing is stored
   */
  public LegalHold holdRecord(RecordRef ref, String reason, String owner, Attribution by) {
    managed(ref.dataClass());
    String id = store.canonicalId(ref).orElseThrow(() -> new IllegalArgumentException(
        "hold refused: '" + ref.id() + "' is not a valid id for data class " + ref.dataClass()));
    return placeHold(LegalHold.Scope.RECORD, id, Optional.of(ref.dataClass()), reason, owner, by);
  }

  /** Holds every record of a data class (a litigation freeze of the whole class). */
  public LegalHold holdClass(DataClass dataClass, String reason, String owner, Attribution by) {
    managed(dataClass);
    return placeHold(LegalHold.Scope.CLASS, dataClass.name(), Optional.of(dataClass), reason, owner, by);
  }

  /**
   * Holds every record (and the key) of a data subject, compared as the subject columns' typed values.
   *
   * @throws IllegalArgumentException when the subject parses as none of the mapped subject columns' types
   */
  public LegalHold holdSubject(String subject, String reason, String owner, Attribution by) {
    return placeHold(LegalHold.Scope.SUBJECT, subject, Optional.empty(), reason, owner, by);
  }

  /** Holds every record (and the keys) of a tenant. */
  public LegalHold holdTenant(String tenant, String reason, String owner, Attribution by) {
    return placeHold(LegalHold.Scope.TENANT, tenant, Optional.empty(), reason, owner, by);
  }

  private LegalHold placeHold(LegalHold.Scope scope, String target, Optional<DataClass> dataClass,
      String reason, String owner, Attribution by) {
    LegalHold hold = new LegalHold(UUID.randomUUID(), scope, target, dataClass, reason, owner,
        Objects.requireNonNull(by, "by"), now(), Optional.empty());
    store.placeHold(hold);
    emit(LifecycleEvent.Type.HOLD_PLACED, by, Map.of("hold", hold.id().toString(), "scope", scope.name(),
        "owner", owner));
    return hold;
  }

  /**
   * Releases an active hold and records who released it and why.
   *
   * @throws LifecycleException ({@code HOLD_NOT_ACTIVE}) when there is no such active hold
   */
  public LegalHold releaseHold(UUID holdId, Attribution by) throws LifecycleException {
    Objects.requireNonNull(by, "by");
    LegalHold released = store.releaseHold(holdId, new LegalHold.Release(by, now()))
        .orElseThrow(() -> new LifecycleException(LifecycleException.Reason.HOLD_NOT_ACTIVE, "no active hold " + holdId));
    emit(LifecycleEvent.Type.HOLD_RELEASED, by, Map.of("hold", holdId.toString()));
    return released;
  }

  /**
   * Erases a data subject now (GDPR Art. 17): deletes every record of the subject in every
   * class the store maps a subject for, in bounded batches (held records stay), then, when
   * asked and no held record remains, destroys the subject's key through the {@link KeyShredder}.
   * The key destruction re-checks the holds under the store's hold discipline ({@link
   * LifecycleStore#destroyKey}): a hold placed at any time before it wins. The key shredder and
   * the evidence get the subject's canonical spelling when the store has one.
   *
   * @param tenant the subject's tenant, so that a tenant hold blocks the erasure too
   * @throws LegalHoldException when a hold on the subject or tenant blocks the erasure (recorded
   *     as {@code ERASURE_REFUSED}; nothing is deleted), or blocks the key destruction at its end
   *     (the records were erased, the key was not)
   * @throws IllegalArgumentException when no mapped subject column can hold the value (nothing is erased)
   * @throws LifecycleStoreException when rows stay locked by another transaction (retry) or the key store fails
   */
  public ErasureReport erase(String subject, Optional<String> tenant, boolean destroyKey, Attribution by)
      throws LegalHoldException {
    Text.require(subject, "subject", 256);
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(by, "by");
    if (destroyKey && keyShredder.isEmpty()) {
      throw new IllegalStateException("no KeyShredder configured");
    }
    Set<String> forms = store.subjectForms(subject);
    if (forms.isEmpty()) {
      throw new IllegalArgumentException("erasure refused: '" + subject
          + "' is not a valid value for any mapped subject column; nothing was erased");
    }
    // The key and the evidence name the subject as the store keeps it, so erasureReport finds
    // them whatever spelling the request used.
    String canonical = forms.size() == 1 ? forms.iterator().next() : subject;
    List<LegalHold> blocking = store.holdsOnSubject(subject, tenant);
    String requestId = UUID.randomUUID().toString();
    if (!blocking.isEmpty()) {
      emit(LifecycleEvent.Type.ERASURE_REFUSED, by, Map.of("request", requestId,
          "subject_hash", DeletionEvidence.hashSubject(canonical), "hold", blocking.get(0).id().toString()));
      throw new LegalHoldException("erasure refused: hold " + blocking.get(0).id() + " (" + blocking.get(0).reason()
          + ") covers the subject");
    }
    Instant now = now();
    List<DeletionEvidence> evidence = new ArrayList<>();
    long remaining = 0;
    for (DataClass c : store.dataClasses().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList()) {
      RetentionPolicy erase = policies.get(c).withAction(RetentionPolicy.Action.PURGE);
      while (true) {
        Optional<DeletionEvidence> e = store.purgeBatch(new PurgeBatchRequest(erase, now, Optional.of(subject),
            batchSize, by, "erasure:" + requestId, expiryHandler));
        if (e.isEmpty()) {
          break;
        }
        deliver(e.get());
        if (e.get().kind() == DeletionEvidence.Kind.PURGE_FAILED) {
          continue;
        }
        evidence.add(e.get());
      }
      remaining += store.countForSubject(c, subject);
    }
    Optional<String> receipt = Optional.empty();
    if (destroyKey) {
      DeletionEvidence shred;
      try {
        shred = store.destroyKey(canonical, tenant, keyShredder.get(), by, "erasure:" + requestId, now());
      } catch (LegalHoldException e) {
        emit(LifecycleEvent.Type.ERASURE_REFUSED, by, Map.of("request", requestId,
            "subject_hash", DeletionEvidence.hashSubject(canonical), "held_records", Long.toString(remaining)));
        throw e;
      }
      deliver(shred);
      evidence.add(shred);
      receipt = Optional.of(shred.policy().substring(Evidence.KEY_RECEIPT.length()));
    }
    return new ErasureReport(DeletionEvidence.hashSubject(canonical), evidence, remaining, receipt);
  }

  /** Everything erased about a subject so far, whatever spelling of it, and what remains (the Art. 17 report). */
  public ErasureReport erasureReport(String subject) {
    Text.require(subject, "subject", 256);
    Set<String> forms = new TreeSet<>(store.subjectForms(subject));
    forms.add(subject);
    Map<UUID, DeletionEvidence> found = new LinkedHashMap<>();
    for (String form : forms) {
      for (DeletionEvidence e : store.evidenceForSubject(DeletionEvidence.hashSubject(form))) {
        found.merge(e.id(), e, (a, b) -> {
          List<DeletionEvidence.Item> items = new ArrayList<>(a.items());
          items.addAll(b.items());
          return new DeletionEvidence(a.id(), a.kind(), a.dataClass(), a.policy(), items, a.at(), a.by(), a.reference());
        });
      }
    }
    List<DeletionEvidence> evidence = found.values().stream()
        .filter(e -> e.kind() != DeletionEvidence.Kind.PURGE_FAILED)
        .sorted(Comparator.comparing(DeletionEvidence::at)).toList();
    long remaining = 0;
    for (DataClass c : store.dataClasses()) {
      remaining += store.countForSubject(c, subject);
    }
    Optional<String> receipt = evidence.stream()
        .filter(e -> e.kind() == DeletionEvidence.Kind.KEY_SHREDDED)
        .map(e -> e.policy().substring(Evidence.KEY_RECEIPT.length()))
        .reduce((a, b) -> b);
    String canonical = forms.size() == 2 ? forms.stream().filter(f -> !f.equals(subject)).findFirst().orElse(subject)
        : subject;
    return new ErasureReport(DeletionEvidence.hashSubject(canonical), evidence, remaining, receipt);
  }

  /** Hands evidence to the listener; marks it delivered only when the listener accepted it. */
  boolean deliver(DeletionEvidence e) {
    if (announce(e)) {
      store.markDelivered(List.of(e.id()));
      return true;
    }
    return false;
  }

  /** Hands evidence to the listener; true when accepted. The caller marks it delivered. */
  boolean announce(DeletionEvidence e) {
    LifecycleEvent.Type type;
    switch (e.kind()) {
      case PURGED:
        type = LifecycleEvent.Type.RECORDS_PURGED;
        break;
      case ANONYMISED:
        type = LifecycleEvent.Type.RECORDS_ANONYMISED;
        break;
      case ARCHIVED:
        type = LifecycleEvent.Type.RECORDS_ARCHIVED;
        break;
      case PURGE_FAILED:
        type = LifecycleEvent.Type.PURGE_ROW_FAILED;
        break;
      case WATERMARK_RESET:
        type = LifecycleEvent.Type.WATERMARK_RESET;
        break;
      default:
        type = LifecycleEvent.Type.KEY_SHREDDED;
    }
    Map<String, String> details = new LinkedHashMap<>();
    details.put("evidence", e.id().toString());
    details.put("count", Integer.toString(e.count()));
    details.put("policy", e.policy());
    details.put("reference", e.reference());
    e.dataClass().ifPresent(c -> details.put("data_class", c.name()));
    return notify(new LifecycleEvent(type, e.at(), e.by(), details, Optional.of(e)));
  }

  void emit(LifecycleEvent.Type type, Attribution by, Map<String, String> details) {
    notify(new LifecycleEvent(type, now(), by, details, Optional.empty()));
  }

  private boolean notify(LifecycleEvent event) {
    try {
      listener.onEvent(event);
      return true;
    } catch (LifecycleEventNotRecordedException e) {
      // A guard has counted and reported it; fail-closed refuses the operation.
      if (e.refusesOperation()) {
        throw e;
      }
      return false;
    } catch (Exception e) {
      // The change is committed; a listener failure must not undo it, nor pass unheard. Evidence
      // stays pending and is redelivered by the next purge run.
      LifecycleEventGuard.LOG_FALLBACK.accept(event, e);
      return false;
    }
  }
}
