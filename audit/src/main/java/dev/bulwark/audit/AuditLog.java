package dev.bulwark.audit;

import dev.bulwark.audit.internal.Checkpointer;
import dev.bulwark.audit.internal.GroupCommit;
import dev.bulwark.audit.internal.Hashes;
import dev.bulwark.audit.internal.LogState;
import dev.bulwark.audit.internal.OpenChecks;
import dev.bulwark.audit.internal.Retention;
import dev.bulwark.audit.internal.TamperWindow;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.CheckpointAnchor;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.Segment;
import dev.bulwark.audit.spi.SegmentedAuditStore;
import dev.bulwark.audit.spi.SequenceConflictException;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.common.Bytes;
import dev.bulwark.common.internal.ByteAccess;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

/**
 * The writer of one audit log: assigns gap-free sequence numbers, computes the canonical bytes,
 * RFC 6962 leaf hash, chain hash (and HMAC tag when keyed), keeps the Merkle tree, makes signed
 * checkpoints, anchors them, seals segments and applies retention.
 *
 * <pre>{@code
 * import java.nio.file.Path;
 *
 * // Given: InstantSource clock
 * CheckpointSigner signer = CheckpointSigner.generate("example.com/audit");
 * try (FileAuditStore store = FileAuditStore.open(Path.of("/var/lib/app/audit"));
 *      AuditLog log = AuditLog.builder("example.com/audit", store).signer(signer)
 *          .anchor(new DirectoryAnchor(Path.of("/mnt/worm/audit"))).build()) {
 *   log.append(AuditEvent.builder(Action.AUTHN_LOGIN_FAIL, Actor.user("u-42", "password"))
 *       .outcome(Outcome.FAILURE).reason("bad_password").build(clock));
 * }
 * }</pre>
 *
 * <p><b>Durability.</b> {@link #append} returns only after the store made the event durable
 * (file: after fsync; JDBC: after commit). Concurrent appends are group-committed: whichever
 * caller holds the writer lock stores everything queued so far as one batch (one fsync), so many
 * threads produce one linear chain at the cost of one fsync per batch.
 *
 * <p><b>Pipelining.</b> A synchronous caller waits for one fsync (or commit) per call, so N
 * threads appending one event at a time get batches of at most N events. {@link #appendAsync}
 * returns a future instead, so one thread can keep many events in flight: a writer thread stores
 * everything queued as one batch with one fsync and completes the futures only after it. The
 * number of events in flight is bounded ({@link Builder#maxOutstanding}).
 *
 * <p><b>Failures.</b> If the store fails, every event of the batch fails with an
 * {@link AuditException}, nothing is acknowledged and the writer's state does not advance; the
 * next append continues the chain from the last durable event. An anchor failure does not fail
 * appends: it shows in {@link #health()}.
 *
 * <p>Thread-safe. Several writers (processes) may share one JDBC log: a writer that loses the
 * race for a sequence number catches up from the store and retries, so the log stays linear.
 *
 * <p>Size: this facade is longer than Bulwark's usual 600 lines because it carries the public
 * builder and the documentation of every public operation; the work is done by the parts in
 * {@code dev.bulwark.audit.internal} (group commit, checkpointer, tamper window, open checks,
 * retention), and what stays here is the batch encoding that needs this package's canonical
 * encoder, and the wiring.
 */
public final class AuditLog implements AutoCloseable {

  private final String origin;
  private final AuditStore store;
  /** The same store when it keeps segments (seal, hold, retention); otherwise null. */
  private final SegmentedAuditStore segmented;
  private final InstantSource clock;
  private final List<CheckpointSigner> signers;
  private final List<CheckpointAnchor> anchors;
  private final long checkpointEveryEvents;
  private final Duration checkpointInterval;
  private final Duration heartbeatInterval;
  private final long segmentMaxEvents;
  private final Duration segmentMaxAge;
  private final AuditRetentionPolicy retention;
  private final boolean allowCustomActions;
  private final Actor acceptedBy;
  private final boolean closeStore;
  private final String acceptReason;
  private final OpenChecks openChecks;

  /** Queues, batches and stores appends; its lock is the writer lock that guards what follows. */
  private final GroupCommit<AuditEvent, Appended> commit;

  // Guarded by the writer lock.
  private final Hashes.Hasher hasher;
  private final ChainKey.Tagger tagger;
  private final CanonicalEncoding.Out scratch = new CanonicalEncoding.Out(1024);
  private final LogState state;
  /** Size of the last checkpoint cut (signed or about to be); drives the cadence. */
  private long lastCheckpointSize = -1;
  /** When the checkpoint interval and the heartbeat run out (from the last cut). */
  private Instant checkpointDueAt;
  private Instant heartbeatDueAt;
  private long segmentFirstSeq;
  /** When the open segment is old enough to seal. */
  private Instant segmentDueAt;

  /** Signs, stores and anchors checkpoints off the append path; null without a signer. */
  private final Checkpointer checkpointer;
  /** The newest checkpoint that was signed and stored (read by exportProof). */
  private volatile SignedCheckpoint lastSigned;
  /** Set by the checkpointer when storing a checkpoint failed, so the next append cuts again. */
  private volatile boolean checkpointRetry;
  /** The tamper-window figures, which the checkpointer updates without the writer lock. */
  private final TamperWindow window = new TamperWindow();

  private AuditLog(Builder b) {
    this.origin = b.origin;
    this.store = b.store;
    this.segmented = b.store instanceof SegmentedAuditStore ? (SegmentedAuditStore) b.store : null;
    this.clock = b.clock;
    this.signers = List.copyOf(b.signers);
    this.anchors = List.copyOf(b.anchors);
    this.checkpointEveryEvents = b.checkpointEveryEvents;
    this.checkpointInterval = b.checkpointInterval;
    this.heartbeatInterval = b.heartbeatInterval;
    this.segmentMaxEvents = b.segmentMaxEvents;
    this.segmentMaxAge = b.segmentMaxAge;
    this.retention = b.retention;
    this.allowCustomActions = b.allowCustomActions;
    this.acceptedBy = b.acceptedBy;
    this.closeStore = b.closeStore;
    this.acceptReason = b.acceptReason;
    byte[] originUtf8 = b.origin.getBytes(StandardCharsets.UTF_8);
    this.hasher = new Hashes.Hasher(originUtf8);
    this.tagger = b.chainKey == null ? null : b.chainKey.newTagger();
    this.state = new LogState(originUtf8, tagger == null ? null : tagger::tag);
    this.openChecks = new OpenChecks(origin, store, signers.stream().map(CheckpointSigner::publicKey).toList(), anchors,
        window, unsealedBound(checkpointEveryEvents, b.maxBatch), acceptedBy != null, UnsealedHistoryException::new);
    this.commit = new GroupCommit<>("bulwark-audit-writer " + origin, b.maxBatch, b.maxOutstanding,
        new GroupCommit.Storer<>() {
          @Override
          public void store(List<GroupCommit.Pending<AuditEvent, Appended>> batch) {
            appendLocked(batch);
          }

          @Override
          public void afterBatch() {
            housekeepingQuietly();
          }
        });
    this.checkpointer = b.signers.isEmpty() ? null : new Checkpointer("bulwark-audit-checkpointer " + origin,
        this::publish, e -> {
          checkpointRetry = true;
          window.error("checkpoint failed: " + e.getMessage());
        });
  }

  /** Starts a log called {@code origin} (its checkpoint origin line) stored in {@code store}. */
  public static Builder builder(String origin, AuditStore store) {
    return new Builder(origin, store);
  }

  private void open() {
    OpenChecks.Opened opened = openChecks.run(state);
    lastCheckpointSize = opened.lastCheckpointSize();
    List<Segment> segs = segmented == null ? List.of() : segmented.segments();
    segmentFirstSeq = segs.isEmpty() ? state.nextSeq() : segs.get(segs.size() - 1).firstSeq();
    segmentDueAt = clock.instant().plus(segmentMaxAge);
    checkpointDue(clock.instant());
    window.opened(Math.max(lastCheckpointSize, 0));
    long accept = opened.accept();
    if (accept >= -1) {
      long next = state.nextSeq();
      appendSystemEvent(AuditEvent.builder(Action.AUDIT_LOG_RECOVERED, acceptedBy).reason(acceptReason)
          .severity(Severity.WARN)
          .detail("recovery", "operator accepted events no signed checkpoint covered")
          .detail("accepted_from", Long.toString(Math.max(accept, state.base().firstSeq())))
          .detail("accepted_to", Long.toString(next))
          .detail("accepted_root", ByteAccess.wrap(state.tree().rootAt(next)).base64())
          .detail("accepted_chain", Bytes.of(state.lastChain()).base64())
          .detail("last_signed_size", Long.toString(accept))
          .build(clock), "the accepted history could not be logged; nothing was signed");
    }
    for (String note : store.recoveries()) {
      appendLocked(List.of(new GroupCommit.Pending<>(systemEvent(Action.AUDIT_LOG_RECOVERED, "crash recovery on open")
          .severity(Severity.WARN).detail("recovery", note).build(clock))));
    }
    if (!signers.isEmpty() && lastCheckpointSize != state.nextSeq()) {
      checkpointLocked(state.base().firstSeq());
    }
  }

  /**
   * The most events a crash can leave after the last stored checkpoint: the checkpointer holds
   * up appends once {@code BACKLOG} cut checkpoints wait to be stored, and each cut follows at
   * most one cadence plus one group-commit batch after the previous one.
   */
  static long unsealedBound(long checkpointEveryEvents, int maxBatch) {
    return (Checkpointer.BACKLOG + 1) * (checkpointEveryEvents + maxBatch);
  }

  private AuditEvent.Builder systemEvent(Action action, String reason) {
    return AuditEvent.builder(action, Actor.system("bulwark-audit")).reason(reason);
  }

  /** Appends the log's own event with the writer lock held; throws {@code failure} if it was not stored. */
  private Appended appendSystemEvent(AuditEvent event, String failure) {
    GroupCommit.Pending<AuditEvent, Appended> p = new GroupCommit.Pending<>(event);
    appendLocked(List.of(p));
    if (p.error() != null) {
      throw new AuditException(failure, p.error());
    }
    return p.result();
  }

  /**
   * Appends one event and returns when it is durable.
   *
   * @throws AuditException if the store failed; the event was not logged
   * @throws IllegalArgumentException for a custom action on a log without {@code allowCustomActions}
   * @throws IllegalStateException if the log is closed
   */
  public Appended append(AuditEvent event) {
    return commit.append(checked(event));
  }

  /**
   * Appends events (consecutive sequence numbers when no other thread appends at the same time)
   * and returns when all are durable.
   *
   * @throws AuditException if the store failed for any of them (those events were not logged)
   * @throws IllegalStateException if the log is closed
   */
  public List<Appended> appendAll(List<AuditEvent> events) {
    List<AuditEvent> checked = new ArrayList<>(events.size());
    for (AuditEvent e : events) {
      checked.add(checked(e));
    }
    return commit.appendAll(checked);
  }

  /**
   * Queues one event and returns at once with a future that completes with its acknowledgement
   * after the store made it durable (file: after the fsync that covers it; JDBC: after COMMIT),
   * or completes exceptionally with an {@link AuditException} if the store failed (the event was
   * not logged). A writer thread, started on first use, stores everything queued as one batch.
   * Events appended from one thread get increasing sequence numbers in call order.
   *
   * <p>Back-pressure: at most {@code maxOutstanding} events (default 4096) may be queued or
   * in flight; beyond that this method blocks until earlier ones complete. Dependent stages
   * registered without {@code Async} run on the writer thread: keep them short, or use the
   * {@code *Async} variants.
   *
   * @throws IllegalArgumentException for a custom action on a log without {@code allowCustomActions}
   * @throws IllegalStateException if the log is closed
   * @throws AuditException if the thread is interrupted while blocked by back-pressure
   */
  public CompletableFuture<Appended> appendAsync(AuditEvent event) {
    return commit.appendAsync(checked(event));
  }

  private AuditEvent checked(AuditEvent e) {
    Objects.requireNonNull(e, "event");
    if (e.action().custom() && !allowCustomActions) {
      throw new IllegalArgumentException("action '" + e.action().name()
          + "' is not in the OWASP vocabulary; build the log with allowCustomActions(true) to accept it");
    }
    return e;
  }

  private void housekeepingQuietly() {
    try {
      housekeepingLocked();
    } catch (RuntimeException e) {
      // The events are durable and acknowledged; a failed checkpoint or seal shows in health()
      // and is retried on the next append or tick.
      window.error("checkpoint/seal failed: " + e.getMessage());
    }
  }

  /**
   * Encodes, hashes, chains and tags a batch and stores it as one unit; on a sequence conflict
   * (another writer of a shared log stored first) catches up and retries. Sets every event's
   * acknowledgement, or fails them all.
   */
  private void appendLocked(List<GroupCommit.Pending<AuditEvent, Appended>> batch) {
    int n = batch.size();
    for (int attempt = 0; ; attempt++) {
      Instant recordedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
      long recordedMicros = CanonicalEncoding.micros(recordedAt);
      List<StoredEvent> records = new ArrayList<>(n);
      byte[][] leaves = new byte[n][];
      byte[] chain = state.lastChain();
      long seq = state.nextSeq();
      try {
        for (int i = 0; i < n; i++) {
          scratch.reset();
          CanonicalEncoding.encodeInto(scratch, seq, recordedMicros, batch.get(i).event());
          byte[] payload = scratch.toArray();
          byte[] leaf = hasher.leaf(payload, 0, payload.length);
          chain = hasher.chain(seq, chain, leaf);
          Bytes tag = tagger == null ? Bytes.empty() : ByteAccess.wrap(tagger.tag(chain));
          records.add(StoredEvent.of(seq, ByteAccess.wrap(payload), ByteAccess.wrap(chain), tag, origin));
          leaves[i] = leaf;
          seq++;
        }
        store.append(records);
      } catch (SequenceConflictException e) {
        if (attempt >= 100) {
          fail(batch, e);
          return;
        }
        try {
          state.catchUp(store);
        } catch (RuntimeException ce) {
          fail(batch, ce);
          return;
        }
        continue;
      } catch (RuntimeException e) {
        fail(batch, e);
        return;
      }
      for (byte[] leaf : leaves) {
        state.tree().append(leaf);
      }
      window.recorded(recordedAt);
      state.advance(seq, chain);
      for (int i = 0; i < n; i++) {
        StoredEvent r = records.get(i);
        batch.get(i).succeed(new Appended(r.seq(), recordedAt, ByteAccess.wrap(leaves[i]), r.chainHash()));
      }
      return;
    }
  }

  private static void fail(List<GroupCommit.Pending<AuditEvent, Appended>> batch, RuntimeException e) {
    for (GroupCommit.Pending<AuditEvent, Appended> p : batch) {
      p.fail(e);
    }
  }

  private void housekeepingLocked() {
    Instant now = clock.instant();
    long nextSeq = state.nextSeq();
    long segCount = nextSeq - segmentFirstSeq;
    if (segmented != null && segCount > 0 && (segCount >= segmentMaxEvents || !now.isBefore(segmentDueAt))) {
      sealLocked();
      return;
    }
    if (signers.isEmpty()) {
      return;
    }
    long pending = nextSeq - Math.max(lastCheckpointSize, 0);
    boolean due = pending > 0 && (pending >= checkpointEveryEvents || !now.isBefore(checkpointDueAt));
    boolean heartbeat = !now.isBefore(heartbeatDueAt);
    if (due || heartbeat || checkpointRetry) {
      cutLocked(state.base().firstSeq());
    }
  }

  private void sealLocked() {
    if (!signers.isEmpty()) {
      cutLocked(state.base().firstSeq());
    }
    segmented.seal(state.nextSeq());
    segmentFirstSeq = state.nextSeq();
    segmentDueAt = clock.instant().plus(segmentMaxAge);
  }

  private void checkpointDue(Instant cutAt) {
    checkpointDueAt = cutAt.plus(checkpointInterval);
    heartbeatDueAt = cutAt.plus(heartbeatInterval);
  }

  /**
   * Time-driven work: a checkpoint when the interval passed (or the idle heartbeat is due) and
   * a segment seal when the open segment is too old. Call it from a scheduler (every second or
   * so); appends do the same work as they go.
   */
  public void tick() {
    commit.lock();
    try {
      if (!commit.isClosed()) {
        housekeepingLocked();
      }
    } finally {
      commit.unlock();
    }
    awaitCheckpoints();
  }

  /**
   * Waits until every checkpoint cut so far is signed, stored and submitted to the anchors (a
   * failure shows in {@link #health()}). Appends do not wait for checkpoints.
   */
  void awaitCheckpoints() {
    if (checkpointer != null) {
      checkpointer.drain();
    }
  }

  /**
   * Signs a checkpoint of the current log now, stores it and submits it to every anchor.
   *
   * @throws IllegalStateException if the log has no signer
   */
  public SignedCheckpoint checkpoint() {
    commit.lock();
    try {
      return checkpointLocked(state.base().firstSeq());
    } finally {
      commit.unlock();
    }
  }

  /** Cuts a checkpoint now and waits until it is signed, stored and submitted to the anchors. */
  private SignedCheckpoint checkpointLocked(long minIndex) {
    try {
      return cutLocked(minIndex).join();
    } catch (CompletionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      if (c instanceof Error) {
        throw (Error) c;
      }
      throw new AuditException("checkpoint failed: " + c, c);
    }
  }

  /**
   * Fixes the content of a checkpoint of the log as it is now (size, Merkle root, chain head)
   * and hands it to the checkpointer, which signs, stores and anchors checkpoints one after the
   * other in cut order. Blocks while the checkpointer is more than {@link Checkpointer#BACKLOG}
   * checkpoints behind, so appends can never outrun the signed record by more than that.
   */
  private CompletableFuture<SignedCheckpoint> cutLocked(long minIndex) {
    if (checkpointer == null) {
      throw new IllegalStateException("this log has no checkpoint signer");
    }
    Instant now = clock.instant();
    long nextSeq = state.nextSeq();
    Checkpoint cp = new Checkpoint(origin, nextSeq, ByteAccess.wrap(state.tree().root()), ByteAccess.wrap(state.lastChain()),
        minIndex, now);
    Checkpointer.Cut cut = new Checkpointer.Cut(cp);
    lastCheckpointSize = nextSeq;
    checkpointDue(now);
    checkpointRetry = false;
    window.cut(cut);
    checkpointer.submit(cut);
    return cut.done();
  }

  /** Signs, stores and anchors one cut (checkpointer thread). */
  private SignedCheckpoint publish(Checkpointer.Cut cut) {
    SignedCheckpoint signed = SignedCheckpoint.sign(cut.checkpoint(), signers);
    store.putCheckpoint(signed.note());
    lastSigned = signed;
    String error = null;
    for (CheckpointAnchor a : anchors) {
      try {
        a.submit(signed);
      } catch (RuntimeException e) {
        error = a.getClass().getSimpleName() + ": " + e.getMessage();
      }
    }
    window.published(cut, error, !anchors.isEmpty());
    return signed;
  }

  /** The tamper window right now (events and age not yet covered by an anchored checkpoint). */
  public AuditHealth health() {
    return window.health(state.nextSeq(), clock.instant());
  }

  /** Number of events ever appended (the next sequence number). */
  public long size() {
    return state.nextSeq();
  }

  /**
   * Seals the open segment now (with a checkpoint).
   *
   * @throws IllegalStateException if the store keeps no segments (is not a {@link SegmentedAuditStore})
   */
  public void seal() {
    SegmentedAuditStore s = segmented("sealing");
    commit.lock();
    try {
      if (s != null && state.nextSeq() > segmentFirstSeq) {
        sealLocked();
      }
    } finally {
      commit.unlock();
    }
  }

  private SegmentedAuditStore segmented(String what) {
    if (segmented == null) {
      throw new IllegalStateException(what + " needs a store that keeps segments (a SegmentedAuditStore); "
          + store + " does not");
    }
    return segmented;
  }

  /** The store's segments, oldest first; empty when the store keeps no segments. */
  public List<Segment> segments() {
    return segmented == null ? List.of() : segmented.segments();
  }

  /**
   * Places or lifts a legal hold on a segment and logs it ({@code audit_legal_hold_set} /
   * {@code audit_legal_hold_released}). Retention stops at the first held segment.
   *
   * @throws IllegalStateException if the store keeps no segments (is not a {@link SegmentedAuditStore})
   */
  public void setLegalHold(long segmentFirstSeq, boolean held, Actor by, String reason) {
    SegmentedAuditStore s = segmented("a legal hold");
    commit.lock();
    try {
      s.setLegalHold(segmentFirstSeq, held);
    } finally {
      commit.unlock();
    }
    append(AuditEvent.builder(held ? Action.AUDIT_LEGAL_HOLD_SET : Action.AUDIT_LEGAL_HOLD_RELEASED, by)
        .reason(reason).target("audit_segment", Long.toString(segmentFirstSeq)).build(clock));
  }

  /**
   * Removes whole sealed segments older than the retention policy from the oldest end, stopping
   * at the first segment that is held, unsealed or too young. Before anything is removed the log
   * appends an {@code audit_log_pruned} receipt (policy, range, count, chain head and Merkle root
   * at the cut) and signs and anchors a checkpoint whose {@code minindex} is the cut, so the
   * remaining log keeps verifying and later proofs keep working.
   *
   * @return what was removed, or empty if nothing was eligible
   * @throws IllegalStateException if the log has no signer (an unsigned receipt proves nothing),
   *     or its store keeps no segments (is not a {@link SegmentedAuditStore})
   */
  public Optional<PruneResult> applyRetention() {
    if (signers.isEmpty()) {
      throw new IllegalStateException("retention needs a checkpoint signer: prune receipts must be signed");
    }
    SegmentedAuditStore s = segmented("retention");
    commit.lock();
    try {
      long from = state.base().firstSeq();
      Retention.Plan plan = Retention.plan(store, s.segments(), clock.instant().minus(retention.maxAge()), from);
      if (plan == null) {
        return Optional.empty();
      }
      long cut = plan.cut();
      byte[] chainAtCut = Retention.chainHashOf(store, cut - 1);
      List<Bytes> compact = wrapAll(state.tree().compactRange(cut));
      Appended receipt = appendSystemEvent(systemEvent(Action.AUDIT_LOG_PRUNED, "retention")
          .detail("policy", retention.id())
          .detail("max_age", retention.maxAge().toString())
          .detail("from_seq", Long.toString(from))
          .detail("cut_seq", Long.toString(cut))
          .detail("count", Long.toString(cut - from))
          .detail("segments", Integer.toString(plan.segments()))
          .detail("chain_at_cut", ByteAccess.wrap(chainAtCut).base64())
          .detail("root_at_cut", ByteAccess.wrap(state.tree().rootAt(cut)).base64())
          .build(clock), "prune receipt could not be logged; nothing was removed");
      checkpointLocked(cut);
      PruneBase newBase = new PruneBase(cut, ByteAccess.wrap(chainAtCut), compact);
      s.prune(newBase);
      state.rebase(newBase);
      return Optional.of(new PruneResult(from, cut, plan.segments(), receipt.seq()));
    } finally {
      commit.unlock();
    }
  }

  /**
   * Streams the events matching {@code query}, in log order. The file and in-memory stores scan;
   * the JDBC store uses its indexes. Close the stream. Unreadable records are skipped (the
   * verifier reports them).
   */
  public Stream<LoggedEvent> query(AuditQuery query) {
    Objects.requireNonNull(query, "query");
    return store.query(query).filter(e -> !e.isDamaged()).flatMap(e -> {
      try {
        return Stream.of(CanonicalEncoding.decode(e.payload()));
      } catch (AuditFormatException ex) {
        return Stream.empty();
      }
    }).filter(query::matches);
  }

  /**
   * Exports an offline proof for event {@code seq}: the event, its inclusion proof and a signed
   * checkpoint covering it (a fresh one is signed if the last does not cover the event).
   */
  public ProofBundle exportProof(long seq) {
    commit.lock();
    try {
      long first = state.base().firstSeq();
      if (seq < first || seq >= state.nextSeq()) {
        throw new IllegalArgumentException("no event " + seq + " in [" + first + ", " + state.nextSeq() + ")");
      }
      SignedCheckpoint cp = lastSigned != null && lastSigned.checkpoint().size() > seq ? lastSigned : checkpointLocked(first);
      Bytes payload;
      try (Stream<StoredEvent> s = store.read(seq)) {
        payload = s.findFirst().filter(e -> e.seq() == seq && !e.isDamaged())
            .orElseThrow(() -> new AuditException("event " + seq + " is missing or damaged")).payload();
      }
      return new ProofBundle(seq, payload, wrapAll(state.tree().inclusionProof(seq, cp.checkpoint().size())), cp);
    } finally {
      commit.unlock();
    }
  }

  /**
   * The RFC 6962 inclusion proof of event {@code seq} in the tree of {@code treeSize} events (an
   * older checkpoint's size, as a witness or a relying party holds it), leaf first; verify it with
   * {@link MerkleProofs#verifyInclusion}.
   *
   * @throws IllegalArgumentException unless {@code base <= seq < treeSize <= size()}, where base is
   *     the first event retention kept
   */
  public List<Bytes> inclusionProof(long seq, long treeSize) {
    commit.lock();
    try {
      if (seq < state.base().firstSeq() || seq >= treeSize || treeSize > state.nextSeq()) {
        throw new IllegalArgumentException("need " + state.base().firstSeq() + " <= seq < treeSize <= " + state.nextSeq());
      }
      return wrapAll(state.tree().inclusionProof(seq, treeSize));
    } finally {
      commit.unlock();
    }
  }

  /**
   * The RFC 6962 consistency proof that the tree of {@code first} events is a prefix of the tree
   * of {@code second} events (C2SP tlog-witness sends exactly this from the size a witness last
   * cosigned); verify it with {@link MerkleProofs#verifyConsistency}.
   *
   * @throws IllegalArgumentException unless {@code base <= first <= second <= size()}
   */
  public List<Bytes> consistencyProof(long first, long second) {
    commit.lock();
    try {
      if (first < state.base().firstSeq() || first > second || second > state.nextSeq()) {
        throw new IllegalArgumentException("need " + state.base().firstSeq() + " <= first <= second <= " + state.nextSeq());
      }
      return wrapAll(state.tree().consistencyProof(first, second));
    } finally {
      commit.unlock();
    }
  }

  private static List<Bytes> wrapAll(List<byte[]> hashes) {
    List<Bytes> out = new ArrayList<>(hashes.size());
    for (byte[] h : hashes) {
      out.add(ByteAccess.wrap(h));
    }
    return out;
  }

  /** The log's origin (name). */
  public String origin() {
    return origin;
  }

  /**
   * Stores everything still queued (asynchronous appends included), signs a final checkpoint (if
   * events arrived since the last one) and stops accepting appends. Closes the store (releasing
   * a file store's lock) only if the log owns it ({@link Builder#closeStore}); otherwise the host
   * that opened the store closes it.
   */
  @Override
  public void close() {
    try {
      closeLog();
    } finally {
      if (closeStore) {
        store.close();
      }
    }
  }

  private void closeLog() {
    CompletableFuture<SignedCheckpoint> last;
    try {
      last = commit.close(() -> !signers.isEmpty() && lastCheckpointSize != state.nextSeq()
          ? cutLocked(state.base().firstSeq()) : null);
    } finally {
      if (checkpointer != null) {
        // Every cut checkpoint is signed, stored and anchored before close returns.
        checkpointer.stop();
      }
    }
    if (last != null && last.isCompletedExceptionally()) {
      Throwable cause = last.handle((v, t) -> t).join();
      throw new AuditException("the final checkpoint could not be stored: " + cause.getMessage(), cause);
    }
  }

  /** Configures an {@link AuditLog}; {@link #build()} validates and opens it. Not thread-safe. */
  public static final class Builder {
    private final String origin;
    private final AuditStore store;
    private InstantSource clock = Clock.systemUTC();
    private final List<CheckpointSigner> signers = new ArrayList<>();
    private ChainKey chainKey;
    private final List<CheckpointAnchor> anchors = new ArrayList<>();
    private long checkpointEveryEvents = 1000;
    private Duration checkpointInterval = Duration.ofSeconds(10);
    private Duration heartbeatInterval = Duration.ofMinutes(10);
    private long segmentMaxEvents = 1_000_000;
    private Duration segmentMaxAge = Duration.ofDays(1);
    private AuditRetentionPolicy retention = AuditRetentionPolicy.DEFAULT;
    private boolean allowCustomActions;
    private int maxBatch = 4096;
    private int maxOutstanding = 4096;
    private Actor acceptedBy;
    private String acceptReason;
    private boolean closeStore;

    private Builder(String origin, AuditStore store) {
      this.origin = Objects.requireNonNull(origin, "origin");
      this.store = Objects.requireNonNull(store, "store");
    }

    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Adds a checkpoint signer; several signers all sign every checkpoint (key rotation). */
    public Builder signer(CheckpointSigner signer) {
      signers.add(Objects.requireNonNull(signer, "signer"));
      return this;
    }

    /**
     * An operator's explicit recovery: if the store holds more events after the last checkpoint
     * signed by this log's keys than a crash can leave (or no such checkpoint, or the file store's
     * checkpoint file is gone), {@link #build()} accepts them instead of throwing
     * {@link UnsealedHistoryException}. It first logs an {@code audit_log_recovered} event by
     * {@code operator} that records what was accepted (the range, its Merkle root and chain head,
     * the last signed size) and then signs a checkpoint. The verifier reports that event as
     * {@link FindingCode#HISTORY_ACCEPTED}. Has no effect when nothing needs accepting. Accepting
     * never repairs anything: run {@link AuditVerifier} first and keep its report.
     */
    public Builder acceptUnsealedHistory(Actor operator, String reason) {
      this.acceptedBy = Objects.requireNonNull(operator, "operator");
      this.acceptReason = Objects.requireNonNull(reason, "reason");
      if (reason.isBlank()) {
        throw new IllegalArgumentException("an accepted history needs a reason");
      }
      return this;
    }

    /**
     * Whether the log owns its store: {@code true} makes {@link AuditLog#close()} (and a failed
     * {@link #build()}) close the store too, which releases a file store's directory lock. By
     * default ({@code false}) the host that opened the store closes it.
     */
    public Builder closeStore(boolean owned) {
      this.closeStore = owned;
      return this;
    }

    /** Keys the chain with HMAC (the key must live outside the store). */
    public Builder chainKey(ChainKey key) {
      this.chainKey = Objects.requireNonNull(key, "key");
      return this;
    }

    public Builder anchor(CheckpointAnchor anchor) {
      anchors.add(Objects.requireNonNull(anchor, "anchor"));
      return this;
    }

    /** A checkpoint every {@code events} events or every {@code interval}, whichever first (1000 / 10 s). */
    public Builder checkpointEvery(long events, Duration interval) {
      if (events < 1 || interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("checkpoint cadence must be positive");
      }
      this.checkpointEveryEvents = events;
      this.checkpointInterval = interval;
      return this;
    }

    /** A checkpoint even without new events this often (10 min), bounding silent truncation. */
    public Builder heartbeat(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("heartbeat must be positive");
      }
      this.heartbeatInterval = interval;
      return this;
    }

    /** Seal segments at {@code maxEvents} events or {@code maxAge} (1,000,000 / 1 day). */
    public Builder segments(long maxEvents, Duration maxAge) {
      if (maxEvents < 1 || maxAge.isNegative() || maxAge.isZero()) {
        throw new IllegalArgumentException("segment limits must be positive");
      }
      this.segmentMaxEvents = maxEvents;
      this.segmentMaxAge = maxAge;
      return this;
    }

    /** Retention policy (default 90 days). */
    public Builder retention(AuditRetentionPolicy policy) {
      this.retention = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Accept {@link Action#custom(String)} actions (off by default). */
    public Builder allowCustomActions(boolean allow) {
      this.allowCustomActions = allow;
      return this;
    }

    /** Largest group-commit batch (4096 events). */
    public Builder maxBatch(int events) {
      if (events < 1) {
        throw new IllegalArgumentException("maxBatch must be positive");
      }
      this.maxBatch = events;
      return this;
    }

    /**
     * Most asynchronous appends queued or in flight at once (4096); {@link AuditLog#appendAsync}
     * blocks beyond that (back-pressure).
     */
    public Builder maxOutstanding(int events) {
      if (events < 1) {
        throw new IllegalArgumentException("maxOutstanding must be positive");
      }
      this.maxOutstanding = events;
      return this;
    }

    /**
     * Opens the log: reads the store, rebuilds the Merkle tree, logs any crash recovery the
     * store performed, and signs a checkpoint if the stored log has none at its end.
     *
     * @throws AuditException if the stored log is damaged (the writer never appends to a log
     *     it cannot verify; run {@link AuditVerifier} to see why)
     */
    public AuditLog build() {
      if (origin.isEmpty() || origin.chars().anyMatch(c -> c <= 0x20 || c == 0x7f) || origin.length() > 256) {
        throw new IllegalArgumentException("origin must be 1-256 printable characters without spaces");
      }
      AuditLog log = new AuditLog(this);
      log.commit.lock();
      try {
        log.open();
      } catch (RuntimeException | Error e) {
        if (closeStore) {
          try {
            store.close();
          } catch (RuntimeException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw e;
      } finally {
        log.commit.unlock();
      }
      return log;
    }
  }
}
