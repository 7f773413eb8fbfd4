package dev.bulwark.audit;

import dev.bulwark.audit.internal.Hashes;
import dev.bulwark.audit.internal.MerkleTree;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.CheckpointAnchor;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.Segment;
import dev.bulwark.audit.spi.SequenceConflictException;
import dev.bulwark.audit.spi.StoreHead;
import dev.bulwark.audit.spi.StoredEvent;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
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
 */
public final class AuditLog implements AutoCloseable {

  private final String origin;
  private final byte[] originUtf8;
  private final AuditStore store;
  private final InstantSource clock;
  private final List<CheckpointSigner> signers;
  private final ChainKey chainKey;
  private final List<CheckpointAnchor> anchors;
  private final long checkpointEveryEvents;
  private final Duration checkpointInterval;
  private final Duration heartbeatInterval;
  private final long segmentMaxEvents;
  private final Duration segmentMaxAge;
  private final RetentionPolicy retention;
  private final boolean allowCustomActions;
  private final int maxBatch;
  private final Actor acceptedBy;
  private final boolean closeStore;
  private final String acceptReason;
  /** During open: checkpoint sizes whose chain head catchUp remembers in {@link #chainAt}. */
  private java.util.Set<Long> watchedSizes = java.util.Set.of();
  private final java.util.Map<Long, byte[]> chainAt = new java.util.HashMap<>();
  /** How long the writer and checkpointer threads wait for work before they end. */
  private static final long IDLE_THREAD_NANOS = 5_000_000_000L;

  private final ReentrantLock lock = new ReentrantLock();
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  /** Permits for asynchronous appends not yet completed (back-pressure). */
  private final Semaphore outstanding;
  private final Object writerMonitor = new Object();
  private volatile Thread writer;
  private volatile boolean writerIdle;
  private volatile boolean closing;

  // Guarded by lock.
  private final Hashes.Hasher hasher;
  private final ChainKey.Tagger tagger;
  private final CanonicalEncoding.Out scratch = new CanonicalEncoding.Out(1024);
  /** The batch being stored (reused: one batch at a time under the lock). */
  private final List<Pending> batchScratch = new ArrayList<>();
  private MerkleTree tree;
  private PruneBase base;
  /** Written under the lock only; volatile so size() and health() need not wait for a batch. */
  private volatile long nextSeq;
  private byte[] lastChain;
  /** Size of the last checkpoint cut (signed or about to be); drives the cadence. */
  private long lastCheckpointSize = -1;
  /** When the checkpoint interval and the heartbeat run out (from the last cut). */
  private Instant checkpointDueAt;
  private Instant heartbeatDueAt;
  private long segmentFirstSeq;
  /** When the open segment is old enough to seal. */
  private Instant segmentDueAt;
  private boolean closed;

  /** Signs, stores and anchors checkpoints off the append path; null without a signer. */
  private final Checkpointer checkpointer;
  /** The newest checkpoint that was signed and stored (read by exportProof). */
  private volatile SignedCheckpoint lastSigned;
  /** Set by the checkpointer when storing a checkpoint failed, so the next append cuts again. */
  private volatile boolean checkpointRetry;

  /** Guards the tamper-window figures, which the checkpointer updates without the writer lock. */
  private final Object healthLock = new Object();
  private long storedCheckpointSize;
  private long lastAnchoredSize;
  private Instant oldestUnanchoredAt;
  private String lastAnchorError;
  private Cut latestCut;

  /**
   * One event waiting to be appended. Its outcome is written under the lock by whichever thread
   * stores it (a synchronous caller or the writer thread) and read under the lock or after it.
   */
  private static final class Pending {
    final AuditEvent event;
    /** Completed after the store made the event durable; null for synchronous callers. */
    final CompletableFuture<Appended> future;
    /** The synchronous caller waiting for this event; null for asynchronous ones. */
    final Thread waiter;
    Appended result;
    RuntimeException error;
    /** Set after result or error, so a waiter may read them without the lock. */
    volatile boolean done;

    Pending(AuditEvent event, CompletableFuture<Appended> future) {
      this.event = event;
      this.future = future;
      this.waiter = future == null ? Thread.currentThread() : null;
    }

    boolean done() {
      return done;
    }
  }

  private AuditLog(Builder b) {
    this.origin = b.origin;
    this.originUtf8 = b.origin.getBytes(StandardCharsets.UTF_8);
    this.store = b.store;
    this.clock = b.clock;
    this.signers = List.copyOf(b.signers);
    this.chainKey = b.chainKey;
    this.anchors = List.copyOf(b.anchors);
    this.checkpointEveryEvents = b.checkpointEveryEvents;
    this.checkpointInterval = b.checkpointInterval;
    this.heartbeatInterval = b.heartbeatInterval;
    this.segmentMaxEvents = b.segmentMaxEvents;
    this.segmentMaxAge = b.segmentMaxAge;
    this.retention = b.retention;
    this.allowCustomActions = b.allowCustomActions;
    this.maxBatch = b.maxBatch;
    this.acceptedBy = b.acceptedBy;
    this.closeStore = b.closeStore;
    this.acceptReason = b.acceptReason;
    this.outstanding = new Semaphore(b.maxOutstanding);
    this.hasher = new Hashes.Hasher(originUtf8);
    this.tagger = b.chainKey == null ? null : b.chainKey.newTagger();
    this.checkpointer = b.signers.isEmpty() ? null : new Checkpointer();
  }

  /** Starts a log called {@code origin} (its checkpoint origin line) stored in {@code store}. */
  public static Builder builder(String origin, AuditStore store) {
    return new Builder(origin, store);
  }

  private void open() {
    StoreHead head = store.head();
    base = head.base();
    List<byte[]> range = new ArrayList<>();
    for (Bytes b : base.compactRange()) {
      range.add(b.toByteArray());
    }
    tree = new MerkleTree(base.firstSeq(), range);
    nextSeq = base.firstSeq();
    lastChain = base.chainBefore().toByteArray();
    List<SignedCheckpoint> stored = storedCheckpoints();
    watchedSizes = new java.util.HashSet<>();
    for (SignedCheckpoint s : stored) {
      watchedSizes.add(s.checkpoint().size());
    }
    try {
      catchUp();
    } finally {
      watchedSizes = java.util.Set.of();
    }
    checkAgainst(stored);
    long accept = unsealedHistory(stored);
    List<Segment> segs = store.segments();
    segmentFirstSeq = segs.isEmpty() ? nextSeq : segs.get(segs.size() - 1).firstSeq();
    segmentDueAt = clock.instant().plus(segmentMaxAge);
    long signedBeyond = -1;
    for (String cp : store.checkpoints()) {
      try {
        SignedCheckpoint s = SignedCheckpoint.parse(cp);
        if (s.checkpoint().size() <= nextSeq && s.checkpoint().origin().equals(origin)) {
          lastCheckpointSize = Math.max(lastCheckpointSize, s.checkpoint().size());
        } else if (s.checkpoint().origin().equals(origin) && s.checkpoint().size() > signedBeyond
            && !s.verifiedBy(signers.stream().map(CheckpointSigner::publicKey).toList()).isEmpty()) {
          signedBeyond = s.checkpoint().size();
        }
      } catch (AuditFormatException e) {
        // A damaged checkpoint is the verifier's business; the writer signs a fresh one below.
      }
    }
    if (signedBeyond > nextSeq) {
      catchUp(); // another writer of a shared log may have appended and signed since we read
    }
    if (signedBeyond > nextSeq) {
      // Events this log signed for are gone (truncated, or an older copy restored). Appending
      // would sign a history that contradicts that checkpoint: fail closed instead.
      throw new AuditException("the store holds " + nextSeq + " events but a checkpoint this log signed covers "
          + signedBeyond + "; acknowledged events are missing; refusing to append. Run AuditVerifier;"
          + " Bulwark never repairs tampering");
    }
    for (CheckpointAnchor a : anchors) {
      SignedCheckpoint anchored = latestAnchored(a);
      if (anchored == null) {
        continue;
      }
      long size = anchored.checkpoint().size();
      if (size > nextSeq) {
        catchUp(); // another writer of a shared log may have appended and anchored since we read
      }
      if (size > nextSeq || (size >= base.firstSeq()
          && !java.security.MessageDigest.isEqual(tree.rootAt(size), anchored.checkpoint().root().toByteArray()))) {
        // Growing this store would anchor a checkpoint contradicting the anchored one and hide the rollback.
        throw new AuditException("the store is not the log " + a + " anchored at size " + size
            + " (an older copy was restored, or events were rewritten); refusing to append."
            + " Run AuditVerifier; Bulwark never repairs tampering");
      }
    }
    checkpointDue(clock.instant());
    synchronized (healthLock) {
      storedCheckpointSize = Math.max(lastCheckpointSize, 0);
    }
    if (accept >= -1) {
      Pending p = new Pending(AuditEvent.builder(Action.AUDIT_LOG_RECOVERED, acceptedBy).reason(acceptReason)
          .severity(Severity.WARN)
          .detail("recovery", "operator accepted events no signed checkpoint covered")
          .detail("accepted_from", Long.toString(Math.max(accept, base.firstSeq())))
          .detail("accepted_to", Long.toString(nextSeq))
          .detail("accepted_root", Bytes.wrap(tree.rootAt(nextSeq)).base64())
          .detail("accepted_chain", Bytes.of(lastChain).base64())
          .detail("last_signed_size", Long.toString(accept))
          .build(clock), null);
      appendLocked(List.of(p));
      if (p.error != null) {
        throw new AuditException("the accepted history could not be logged; nothing was signed", p.error);
      }
    }
    for (String note : store.recoveries()) {
      appendLocked(List.of(new Pending(systemEvent(Action.AUDIT_LOG_RECOVERED, "crash recovery on open")
          .severity(Severity.WARN).detail("recovery", note).build(clock), null)));
    }
    if (!signers.isEmpty() && lastCheckpointSize != nextSeq) {
      checkpointLocked(base.firstSeq());
    }
  }

  /** The stored checkpoints of this log that parse (signed or not; oldest first). */
  private List<SignedCheckpoint> storedCheckpoints() {
    List<SignedCheckpoint> out = new ArrayList<>();
    for (String cp : store.checkpoints()) {
      try {
        SignedCheckpoint s = SignedCheckpoint.parse(cp);
        if (s.checkpoint().origin().equals(origin) && s.checkpoint().isBulwark()) {
          out.add(s);
        }
      } catch (AuditFormatException e) {
        // A damaged checkpoint is the verifier's business.
      }
    }
    return out;
  }

  /**
   * The rebuilt tree and chain must agree with every checkpoint stored with the log that they
   * reach: a difference means the events were rewritten after the checkpoint was made, and
   * signing a new checkpoint over them would launder the rewrite.
   */
  private void checkAgainst(List<SignedCheckpoint> stored) {
    for (SignedCheckpoint s : stored) {
      Checkpoint c = s.checkpoint();
      long size = c.size();
      if (size > nextSeq || size < base.firstSeq() || size == 0) {
        continue; // beyond the end: the signedBeyond check below; before the cut: pruned
      }
      byte[] chain = size == base.firstSeq() ? base.chainBefore().toByteArray() : chainAt.get(size);
      boolean rootOk = java.security.MessageDigest.isEqual(tree.rootAt(size), c.root().toByteArray());
      boolean chainOk = chain != null && java.security.MessageDigest.isEqual(chain, c.chainHead().toByteArray());
      if (!rootOk || !chainOk) {
        throw new AuditException("the stored events differ from the checkpoint of size " + size
            + " stored with them (" + (!rootOk ? "Merkle root" : "chain head") + "): events were rewritten;"
            + " refusing to append. Run AuditVerifier; Bulwark never repairs tampering");
      }
    }
    chainAt.clear();
  }

  /**
   * The most events a crash can leave after the last stored checkpoint: the checkpointer holds
   * up appends once {@code BACKLOG} cut checkpoints wait to be stored, and each cut follows at
   * most one cadence plus one group-commit batch after the previous one.
   */
  static long unsealedBound(long checkpointEveryEvents, int maxBatch) {
    return (Checkpointer.BACKLOG + 1) * (checkpointEveryEvents + maxBatch);
  }

  /**
   * With signers: -2 when the stored events are sealed as far as a crash allows; otherwise
   * (accepted by an operator) the size of the newest checkpoint signed by this log's keys, -1
   * for none. Without an operator's acceptance, too many unsealed events throw.
   */
  private long unsealedHistory(List<SignedCheckpoint> stored) {
    if (signers.isEmpty() || nextSeq <= base.firstSeq()) {
      return -2;
    }
    List<CheckpointKey> keys = signers.stream().map(CheckpointSigner::publicKey).toList();
    long sealed = -1;
    List<SignedCheckpoint> bySize = new ArrayList<>(stored);
    bySize.sort(java.util.Comparator.comparingLong((SignedCheckpoint s) -> s.checkpoint().size()).reversed());
    for (SignedCheckpoint s : bySize) {
      if (s.checkpoint().size() <= nextSeq && !s.verifiedBy(keys).isEmpty()) {
        sealed = s.checkpoint().size();
        break;
      }
    }
    boolean fileMissing = store instanceof FileAuditStore && ((FileAuditStore) store).checkpointFileWasMissing();
    long bound = unsealedBound(checkpointEveryEvents, maxBatch);
    if (sealed >= 0 && !fileMissing && nextSeq - Math.max(sealed, base.firstSeq()) <= bound) {
      return -2;
    }
    if (acceptedBy != null) {
      return sealed;
    }
    String why = fileMissing ? "its checkpoint file is missing"
        : sealed < 0 ? "no checkpoint signed by this log's keys is stored"
        : (nextSeq - Math.max(sealed, base.firstSeq())) + " events follow the last signed checkpoint (size " + sealed
            + "), more than a crash can leave unsigned (" + bound + ")";
    throw new UnsealedHistoryException("the store holds " + nextSeq + " events but " + why
        + ": checkpoints were lost or deleted, and the events may have been rewritten since. Refusing to sign them."
        + " Run AuditVerifier, then accept the stored history explicitly (AuditLog.Builder.acceptUnsealedHistory,"
        + " or 'bulwark audit recover'), which logs who accepted what", sealed, nextSeq);
  }

  /** The latest checkpoint {@code anchor} holds for this log, if it verifies with this log's keys. */
  private SignedCheckpoint latestAnchored(CheckpointAnchor anchor) {
    try {
      Optional<String> note = anchor.latest(origin);
      SignedCheckpoint s = note.isEmpty() ? null : SignedCheckpoint.parse(note.get());
      boolean ours = s != null && s.checkpoint().origin().equals(origin) && s.checkpoint().isBulwark()
          && !s.verifiedBy(signers.stream().map(CheckpointSigner::publicKey).toList()).isEmpty();
      return ours ? s : null;
    } catch (AuditFormatException | RuntimeException e) {
      // Unreadable now: the writer cannot compare; the verifier still will.
      synchronized (healthLock) {
        lastAnchorError = anchor.getClass().getSimpleName() + ": cannot read the anchored checkpoint: " + e.getMessage();
      }
      return null;
    }
  }

  /** Reads events the store has and this writer has not seen, checking their chain. */
  private void catchUp() {
    StoreHead head = store.head();
    if (head.nextSeq() == nextSeq) {
      return;
    }
    try (Stream<StoredEvent> s = store.read(nextSeq)) {
      for (StoredEvent e : (Iterable<StoredEvent>) s::iterator) {
        if (e.isDamaged() && e.damage().startsWith("quarantined bytes")) {
          continue; // what an earlier open cut from a torn tail: kept for the verifier, not part of the log
        }
        if (e.isDamaged()) {
          throw new AuditException("stored log is damaged at " + e.location() + " (" + e.damage()
              + "); refusing to append. Run AuditVerifier; Bulwark never repairs tampering");
        }
        if (e.seq() != nextSeq) {
          throw new AuditException("stored log is not linear at " + e.location() + ": expected seq " + nextSeq
              + ", found " + e.seq() + "; refusing to append. Run AuditVerifier");
        }
        byte[] payload = e.payload().toByteArray();
        byte[] leaf = Hashes.leaf(payload);
        byte[] chain = Hashes.chain(originUtf8, e.seq(), lastChain, leaf);
        if (!java.security.MessageDigest.isEqual(chain, e.chainHash().toByteArray())) {
          throw new AuditException("stored chain breaks at seq " + e.seq() + " (" + e.location()
              + "); refusing to append. Run AuditVerifier");
        }
        if (tagger != null && (e.mac().length() != 32
            || !java.security.MessageDigest.isEqual(tagger.tag(chain), e.mac().toByteArray()))) {
          throw new AuditException("stored event seq " + e.seq() + " (" + e.location() + ") has "
              + (e.mac().isEmpty() ? "no MAC" : "a MAC that does not verify") + " under this log's chain key: forged or"
              + " edited without the key; refusing to append. Run AuditVerifier; Bulwark never repairs tampering");
        }
        if (watchedSizes.contains(e.seq() + 1)) {
          chainAt.put(e.seq() + 1, chain);
        }
        tree.append(leaf);
        lastChain = chain;
        nextSeq = e.seq() + 1;
      }
    }
  }

  private AuditEvent.Builder systemEvent(Action action, String reason) {
    return AuditEvent.builder(action, Actor.system("bulwark-audit")).reason(reason);
  }

  /**
   * Appends one event and returns when it is durable.
   *
   * @throws AuditException if the store failed; the event was not logged
   * @throws IllegalArgumentException for a custom action on a log without {@code allowCustomActions}
   * @throws IllegalStateException if the log is closed
   */
  public Appended append(AuditEvent event) {
    Pending p = new Pending(checked(event), null);
    if (!appendInline(p)) {
      queue.add(p);
      awaitLocked(List.of(p));
    }
    if (p.error != null) {
      throw new AuditException("audit event was not logged: " + p.error.getMessage(), p.error);
    }
    return p.result;
  }

  /**
   * Appends events (consecutive sequence numbers when no other thread appends at the same time)
   * and returns when all are durable.
   *
   * @throws AuditException if the store failed for any of them (those events were not logged)
   * @throws IllegalStateException if the log is closed
   */
  public List<Appended> appendAll(List<AuditEvent> events) {
    List<Pending> mine = new ArrayList<>(events.size());
    for (AuditEvent e : events) {
      mine.add(new Pending(checked(e), null));
    }
    queue.addAll(mine);
    awaitLocked(mine);
    List<Appended> out = new ArrayList<>(mine.size());
    for (Pending p : mine) {
      if (p.error != null) {
        throw new AuditException("audit event was not logged: " + p.error.getMessage(), p.error);
      }
      out.add(p.result);
    }
    return out;
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
    AuditEvent e = checked(event);
    if (closing) {
      throw new IllegalStateException("audit log is closed");
    }
    try {
      outstanding.acquire();
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new AuditException("interrupted while waiting for earlier audit appends to complete", ie);
    }
    Pending p = new Pending(e, new CompletableFuture<>());
    queue.add(p);
    if (closing && queue.remove(p)) {
      // close() began after the check above and may have drained the queue already.
      outstanding.release();
      throw new IllegalStateException("audit log is closed");
    }
    Thread w = writer;
    if (w == null) {
      w = startWriter();
    }
    if (w != null && writerIdle) {
      LockSupport.unpark(w);
    }
    return p.future;
  }

  private AuditEvent checked(AuditEvent e) {
    Objects.requireNonNull(e, "event");
    if (e.action().custom() && !allowCustomActions) {
      throw new IllegalArgumentException("action '" + e.action().name()
          + "' is not in the OWASP vocabulary; build the log with allowCustomActions(true) to accept it");
    }
    return e;
  }

  /**
   * Group commit for synchronous callers: the caller that gets the lock stores everything queued
   * (its own events and anyone else's) in batches until its own are done; the others sleep until
   * their events are stored, or until the lock is free and work is left, when one of them takes
   * over. Nobody takes the lock just to see whether its event is done.
   */
  private void awaitLocked(List<Pending> mine) {
    List<Pending> finished = new ArrayList<>();
    while (!allDone(mine)) {
      if (!lock.tryLock()) {
        // Woken when our events are stored or when the lock holder leaves work behind; the
        // timeout is only a safety net.
        LockSupport.parkNanos(this, 10_000_000L);
        continue;
      }
      boolean wasClosed = closed;
      try {
        if (wasClosed) {
          for (Pending p : mine) {
            if (!p.done()) {
              queue.remove(p);
            }
          }
        } else {
          while (!allDone(mine) && processBatchLocked(finished)) {
            // next batch
          }
          housekeepingQuietly();
        }
      } finally {
        unlock();
        complete(finished);
      }
      if (wasClosed) {
        break;
      }
    }
    for (Pending p : mine) {
      if (!p.done()) {
        throw new IllegalStateException("audit log is closed");
      }
    }
  }

  /**
   * The uncontended case of {@link #append}: when nobody holds the writer lock and nothing is
   * queued, the caller stores its event at once, without the queue hand-off. Nothing queued
   * while the lock is held means every earlier append (this thread's asynchronous ones too) was
   * already stored, so call order is kept.
   *
   * @return false if the caller must queue the event and wait its turn instead
   */
  private boolean appendInline(Pending p) {
    if (!queue.isEmpty() || !lock.tryLock()) {
      return false;
    }
    List<Pending> finished = new ArrayList<>(1);
    try {
      if (closed) {
        throw new IllegalStateException("audit log is closed");
      }
      if (!queue.isEmpty()) {
        return false;
      }
      batchScratch.add(p);
      storeLocked(batchScratch, finished);
      housekeepingQuietly();
    } finally {
      unlock();
      complete(finished);
    }
    return true;
  }

  /** Releases the writer lock; if events are still queued, wakes someone to store them. */
  private void unlock() {
    lock.unlock();
    Pending head = queue.peek();
    if (head == null) {
      return;
    }
    if (head.waiter != null) {
      LockSupport.unpark(head.waiter);
    } else {
      Thread w = writer;
      if (w == null) {
        w = startWriter();
      }
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
  }

  /**
   * Takes up to {@code maxBatch} queued events and stores them as one batch; all of them are
   * added to {@code finished}, to be completed (futures, waiting callers) after the lock is
   * released.
   *
   * @return false if the queue was empty
   */
  private boolean processBatchLocked(List<Pending> finished) {
    List<Pending> batch = batchScratch;
    Pending p;
    while (batch.size() < maxBatch && (p = queue.poll()) != null) {
      batch.add(p);
    }
    if (batch.isEmpty()) {
      return false;
    }
    storeLocked(batch, finished);
    return true;
  }

  /**
   * Stores {@code batch} (the lock's {@link #batchScratch}, emptied on return) as one batch and
   * adds its events to {@code finished}, to be completed after the lock is released.
   */
  private void storeLocked(List<Pending> batch, List<Pending> finished) {
    try {
      appendLocked(batch);
    } catch (RuntimeException | Error e) {
      // Nothing of the batch was acknowledged; its callers must hear so rather than wait forever.
      RuntimeException cause = e instanceof RuntimeException ? (RuntimeException) e : new AuditException("audit writer failed: " + e, e);
      for (Pending q : batch) {
        if (q.result == null && q.error == null) {
          q.error = cause;
        }
      }
      if (e instanceof Error) {
        throw (Error) e;
      }
    } finally {
      for (Pending q : batch) {
        q.done = true;
        finished.add(q);
      }
      batch.clear();
    }
  }

  private void housekeepingQuietly() {
    try {
      housekeepingLocked();
    } catch (RuntimeException e) {
      // The events are durable and acknowledged; a failed checkpoint or seal shows in health()
      // and is retried on the next append or tick.
      synchronized (healthLock) {
        lastAnchorError = "checkpoint/seal failed: " + e.getMessage();
      }
    }
  }

  /**
   * Completes stored events: futures of asynchronous callers (never under the lock: callbacks
   * run here) and wakes synchronous callers.
   */
  private void complete(List<Pending> done) {
    Thread me = Thread.currentThread();
    for (Pending p : done) {
      if (p.future == null) {
        if (p.waiter != me) {
          LockSupport.unpark(p.waiter);
        }
        continue;
      }
      try {
        if (p.error != null) {
          p.future.completeExceptionally(new AuditException("audit event was not logged: " + p.error.getMessage(), p.error));
        } else {
          p.future.complete(p.result);
        }
      } finally {
        outstanding.release();
      }
    }
    done.clear();
  }

  private Thread startWriter() {
    synchronized (writerMonitor) {
      if (writer == null && !closing) {
        Thread t = new Thread(this::writerLoop, "bulwark-audit-writer " + origin);
        t.setDaemon(true);
        writer = t;
        t.start();
      }
      return writer;
    }
  }

  /**
   * The writer thread of {@link #appendAsync}: stores whatever is queued, batch after batch, and
   * ends after a while without work (the next appendAsync starts a new one).
   */
  private void writerLoop() {
    List<Pending> done = new ArrayList<>();
    long idleSince = System.nanoTime();
    while (true) {
      if (queue.isEmpty()) {
        if (closing || System.nanoTime() - idleSince > IDLE_THREAD_NANOS) {
          synchronized (writerMonitor) {
            writer = null;
            // appendAsync queues, then reads writer: seeing it still set, it relies on this thread.
            if (queue.isEmpty() || closing) {
              return;
            }
            writer = Thread.currentThread();
          }
          continue;
        }
        writerIdle = true;
        if (queue.isEmpty() && !closing) {
          LockSupport.parkNanos(this, IDLE_THREAD_NANOS);
        }
        writerIdle = false;
        continue;
      }
      lock.lock();
      try {
        if (processBatchLocked(done)) {
          housekeepingQuietly();
        }
      } catch (Error e) {
        // The batch's callers were failed; keep serving the others.
      } finally {
        unlock();
        complete(done);
      }
      idleSince = System.nanoTime();
    }
  }

  private static boolean allDone(List<Pending> ps) {
    for (Pending p : ps) {
      if (!p.done()) {
        return false;
      }
    }
    return true;
  }

  private void appendLocked(List<Pending> batch) {
    int n = batch.size();
    for (int attempt = 0; ; attempt++) {
      Instant recordedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
      long recordedMicros = CanonicalEncoding.micros(recordedAt);
      List<StoredEvent> records = new ArrayList<>(n);
      byte[][] leaves = new byte[n][];
      byte[] chain = lastChain;
      long seq = nextSeq;
      try {
        for (int i = 0; i < n; i++) {
          scratch.reset();
          CanonicalEncoding.encodeInto(scratch, seq, recordedMicros, batch.get(i).event);
          byte[] payload = scratch.toArray();
          byte[] leaf = hasher.leaf(payload, 0, payload.length);
          chain = hasher.chain(seq, chain, leaf);
          Bytes tag = tagger == null ? Bytes.empty() : Bytes.wrap(tagger.tag(chain));
          records.add(StoredEvent.of(seq, Bytes.wrap(payload), Bytes.wrap(chain), tag, origin));
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
          catchUp();
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
        tree.append(leaf);
      }
      synchronized (healthLock) {
        if (oldestUnanchoredAt == null) {
          oldestUnanchoredAt = recordedAt;
        }
        if (latestCut != null && latestCut.firstAfterAt == null) {
          latestCut.firstAfterAt = recordedAt;
        }
      }
      nextSeq = seq;
      lastChain = chain;
      for (int i = 0; i < n; i++) {
        StoredEvent r = records.get(i);
        batch.get(i).result = new Appended(r.seq(), recordedAt, Bytes.wrap(leaves[i]), r.chainHash());
      }
      return;
    }
  }

  private static void fail(List<Pending> batch, RuntimeException e) {
    for (Pending p : batch) {
      p.error = e;
    }
  }

  private void housekeepingLocked() {
    Instant now = clock.instant();
    long segCount = nextSeq - segmentFirstSeq;
    if (segCount > 0 && (segCount >= segmentMaxEvents || !now.isBefore(segmentDueAt))) {
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
      cutLocked(base.firstSeq());
    }
  }

  private void sealLocked() {
    if (!signers.isEmpty()) {
      cutLocked(base.firstSeq());
    }
    store.seal(nextSeq);
    segmentFirstSeq = nextSeq;
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
    lock.lock();
    try {
      if (!closed) {
        housekeepingLocked();
      }
    } finally {
      unlock();
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
    lock.lock();
    try {
      return checkpointLocked(base.firstSeq());
    } finally {
      unlock();
    }
  }

  /** Cuts a checkpoint now and waits until it is signed, stored and submitted to the anchors. */
  private SignedCheckpoint checkpointLocked(long minIndex) {
    try {
      return cutLocked(minIndex).join();
    } catch (java.util.concurrent.CompletionException e) {
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
    Checkpoint cp = new Checkpoint(origin, nextSeq, Bytes.wrap(tree.root()), Bytes.wrap(lastChain), minIndex, now);
    Cut cut = new Cut(cp);
    lastCheckpointSize = nextSeq;
    checkpointDue(now);
    checkpointRetry = false;
    synchronized (healthLock) {
      latestCut = cut;
    }
    checkpointer.submit(cut);
    return cut.done;
  }

  /** A checkpoint whose content is fixed, on its way to being signed, stored and anchored. */
  private static final class Cut {
    final Checkpoint checkpoint;
    final CompletableFuture<SignedCheckpoint> done = new CompletableFuture<>();
    /** When the first event after this cut was recorded (guarded by healthLock). */
    Instant firstAfterAt;

    Cut(Checkpoint checkpoint) {
      this.checkpoint = checkpoint;
    }
  }

  /**
   * One thread per log that signs (Ed25519 is the slowest step of a checkpoint), stores and
   * anchors checkpoints in the order they were cut, so a checkpoint never holds up appends
   * unless the checkpointer falls {@link #BACKLOG} checkpoints behind. It never takes the
   * writer lock.
   */
  private final class Checkpointer {
    static final int BACKLOG = 2;
    private final java.util.ArrayDeque<Cut> cuts = new java.util.ArrayDeque<>();
    private Thread thread;
    private boolean stopping;

    synchronized void submit(Cut cut) {
      boolean interrupted = false;
      while (cuts.size() >= BACKLOG) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      cuts.add(cut);
      if (thread == null) {
        thread = new Thread(this::run, "bulwark-audit-checkpointer " + origin);
        thread.setDaemon(true);
        thread.start();
      }
      notifyAll();
    }

    /** The next cut to publish, or null when the thread should end (stopped, or idle a while). */
    private synchronized Cut next() {
      boolean interrupted = false;
      long idleUntil = System.nanoTime() + IDLE_THREAD_NANOS;
      while (cuts.isEmpty() && !stopping) {
        long left = idleUntil - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      Cut c = cuts.peekFirst();
      if (c == null) {
        thread = null; // submit() starts a new one when needed
      }
      return c;
    }

    private synchronized void finished() {
      cuts.pollFirst();
      notifyAll();
    }

    private void run() {
      for (Cut cut = next(); cut != null; cut = next()) {
        try {
          cut.done.complete(publish(cut));
        } catch (RuntimeException | Error e) {
          checkpointRetry = true;
          synchronized (healthLock) {
            lastAnchorError = "checkpoint failed: " + e.getMessage();
          }
          cut.done.completeExceptionally(e);
        } finally {
          finished();
        }
      }
    }

    /** Waits until every checkpoint submitted so far is published. */
    synchronized void drain() {
      boolean interrupted = false;
      while (!cuts.isEmpty()) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    /** Waits until every submitted checkpoint is published and stops the thread. */
    void stop() {
      Thread t;
      synchronized (this) {
        stopping = true;
        notifyAll();
        t = thread;
      }
      if (t != null && t != Thread.currentThread()) {
        boolean interrupted = false;
        while (t.isAlive()) {
          try {
            t.join();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Signs, stores and anchors one cut (checkpointer thread). */
  private SignedCheckpoint publish(Cut cut) {
    SignedCheckpoint signed = SignedCheckpoint.sign(cut.checkpoint, signers);
    store.putCheckpoint(signed.note());
    lastSigned = signed;
    long size = cut.checkpoint.size();
    String error = null;
    for (CheckpointAnchor a : anchors) {
      try {
        a.submit(signed);
      } catch (RuntimeException e) {
        error = a.getClass().getSimpleName() + ": " + e.getMessage();
      }
    }
    synchronized (healthLock) {
      storedCheckpointSize = Math.max(storedCheckpointSize, size);
      if (error == null && !anchors.isEmpty() && size >= lastAnchoredSize) {
        lastAnchoredSize = size;
        // Events after the cut are still unanchored; the oldest of them was recorded then.
        oldestUnanchoredAt = cut.firstAfterAt;
      }
      lastAnchorError = error;
    }
    return signed;
  }

  /** The tamper window right now (events and age not yet covered by an anchored checkpoint). */
  public Health health() {
    long size = nextSeq;
    synchronized (healthLock) {
      long unanchored = Math.max(0, size - lastAnchoredSize);
      Duration age = unanchored == 0 || oldestUnanchoredAt == null ? Duration.ZERO
          : Duration.between(oldestUnanchoredAt, clock.instant());
      return new Health(size, storedCheckpointSize, lastAnchoredSize, unanchored, age,
          Optional.ofNullable(lastAnchorError));
    }
  }

  /** Number of events ever appended (the next sequence number). */
  public long size() {
    return nextSeq;
  }

  /** Seals the open segment now (with a checkpoint). */
  public void seal() {
    lock.lock();
    try {
      if (nextSeq > segmentFirstSeq) {
        sealLocked();
      }
    } finally {
      unlock();
    }
  }

  /** The store's segments, oldest first. */
  public List<Segment> segments() {
    return store.segments();
  }

  /**
   * Places or lifts a legal hold on a segment and logs it ({@code audit_legal_hold_set} /
   * {@code audit_legal_hold_released}). Retention stops at the first held segment.
   */
  public void setLegalHold(long segmentFirstSeq, boolean held, Actor by, String reason) {
    lock.lock();
    try {
      store.setLegalHold(segmentFirstSeq, held);
    } finally {
      unlock();
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
   * @throws IllegalStateException if the log has no signer (an unsigned receipt proves nothing)
   */
  public Optional<PruneResult> applyRetention() {
    if (signers.isEmpty()) {
      throw new IllegalStateException("retention needs a checkpoint signer: prune receipts must be signed");
    }
    lock.lock();
    try {
      Instant limit = clock.instant().minus(retention.maxAge());
      List<Segment> segs = store.segments();
      long cut = -1;
      int count = 0;
      for (Segment s : segs) {
        if (!s.sealed() || s.legalHold()) {
          break;
        }
        if (s.count() > 0) {
          Instant newest = recordedAt(s.lastSeq());
          if (!newest.isBefore(limit)) {
            break;
          }
        }
        cut = s.lastSeq() + 1;
        count++;
      }
      if (cut <= base.firstSeq()) {
        return Optional.empty();
      }
      long from = base.firstSeq();
      byte[] chainAtCut = chainHashOf(cut - 1);
      byte[] rootAtCut = tree.rootAt(cut);
      List<Bytes> compact = new ArrayList<>();
      for (byte[] h : tree.compactRange(cut)) {
        compact.add(Bytes.wrap(h));
      }
      Pending receipt = new Pending(systemEvent(Action.AUDIT_LOG_PRUNED, "retention")
          .detail("policy", retention.id())
          .detail("max_age", retention.maxAge().toString())
          .detail("from_seq", Long.toString(from))
          .detail("cut_seq", Long.toString(cut))
          .detail("count", Long.toString(cut - from))
          .detail("segments", Integer.toString(count))
          .detail("chain_at_cut", Bytes.wrap(chainAtCut).base64())
          .detail("root_at_cut", Bytes.wrap(rootAtCut).base64())
          .build(clock), null);
      appendLocked(List.of(receipt));
      if (receipt.error != null) {
        throw new AuditException("prune receipt could not be logged; nothing was removed", receipt.error);
      }
      checkpointLocked(cut);
      PruneBase newBase = new PruneBase(cut, Bytes.wrap(chainAtCut), compact);
      store.prune(newBase);
      base = newBase;
      return Optional.of(new PruneResult(from, cut, count, receipt.result.seq()));
    } finally {
      unlock();
    }
  }

  private Instant recordedAt(long seq) {
    try (Stream<StoredEvent> s = store.read(seq)) {
      StoredEvent e = s.findFirst().orElseThrow(() -> new AuditException("event " + seq + " missing"));
      return CanonicalEncoding.decode(e.payload()).recordedAt();
    } catch (AuditFormatException e) {
      throw new AuditException("event " + seq + " is unreadable; retention stops", e);
    }
  }

  private byte[] chainHashOf(long seq) {
    try (Stream<StoredEvent> s = store.read(seq)) {
      StoredEvent e = s.findFirst().orElseThrow(() -> new AuditException("event " + seq + " missing"));
      if (e.seq() != seq || e.isDamaged()) {
        throw new AuditException("event " + seq + " is damaged; retention stops");
      }
      return e.chainHash().toByteArray();
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
    lock.lock();
    try {
      if (seq < base.firstSeq() || seq >= nextSeq) {
        throw new IllegalArgumentException("no event " + seq + " in [" + base.firstSeq() + ", " + nextSeq + ")");
      }
      SignedCheckpoint cp = lastSigned != null && lastSigned.checkpoint().size() > seq ? lastSigned : checkpointLocked(base.firstSeq());
      Bytes payload;
      try (Stream<StoredEvent> s = store.read(seq)) {
        payload = s.findFirst().filter(e -> e.seq() == seq && !e.isDamaged())
            .orElseThrow(() -> new AuditException("event " + seq + " is missing or damaged")).payload();
      }
      List<Bytes> proof = new ArrayList<>();
      for (byte[] h : tree.inclusionProof(seq, cp.checkpoint().size())) {
        proof.add(Bytes.wrap(h));
      }
      return new ProofBundle(seq, payload, proof, cp);
    } finally {
      unlock();
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
    lock.lock();
    try {
      if (seq < base.firstSeq() || seq >= treeSize || treeSize > nextSeq) {
        throw new IllegalArgumentException("need " + base.firstSeq() + " <= seq < treeSize <= " + nextSeq);
      }
      return wrapAll(tree.inclusionProof(seq, treeSize));
    } finally {
      unlock();
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
    lock.lock();
    try {
      if (first < base.firstSeq() || first > second || second > nextSeq) {
        throw new IllegalArgumentException("need " + base.firstSeq() + " <= first <= second <= " + nextSeq);
      }
      return wrapAll(tree.consistencyProof(first, second));
    } finally {
      unlock();
    }
  }

  private static List<Bytes> wrapAll(List<byte[]> hashes) {
    List<Bytes> out = new ArrayList<>(hashes.size());
    for (byte[] h : hashes) {
      out.add(Bytes.wrap(h));
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
    Thread w;
    synchronized (writerMonitor) {
      closing = true;
      w = writer;
    }
    if (w != null && w != Thread.currentThread()) {
      LockSupport.unpark(w);
      boolean interrupted = false;
      while (w.isAlive()) {
        try {
          w.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    List<Pending> asyncDone = new ArrayList<>();
    CompletableFuture<SignedCheckpoint> last = null;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      while (processBatchLocked(asyncDone)) {
        // Appends that raced with close() are stored, not dropped.
      }
      closed = true;
      if (!signers.isEmpty() && lastCheckpointSize != nextSeq) {
        last = cutLocked(base.firstSeq());
      }
    } finally {
      unlock();
      complete(asyncDone);
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
    private RetentionPolicy retention = RetentionPolicy.DEFAULT;
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
    public Builder retention(RetentionPolicy policy) {
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
      log.lock.lock();
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
        log.unlock();
      }
      return log;
    }
  }
}
