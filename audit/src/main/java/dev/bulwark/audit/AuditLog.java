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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The writer of one audit log: assigns gap-free sequence numbers, computes the canonical bytes,
 * RFC 6962 leaf hash, chain hash (and HMAC tag when keyed), keeps the Merkle tree, makes signed
 * checkpoints, anchors them, seals segments and applies retention.
 *
 * <pre>{@code
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

  private final ReentrantLock lock = new ReentrantLock();
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();

  // Guarded by lock.
  private MerkleTree tree;
  private PruneBase base;
  private long nextSeq;
  private byte[] lastChain;
  private long lastCheckpointSize = -1;
  private Instant lastCheckpointAt;
  private long lastAnchoredSize;
  private Instant oldestUnanchoredAt;
  private String lastAnchorError;
  private long segmentFirstSeq;
  private Instant segmentOpenedAt;
  private SignedCheckpoint lastSigned;
  private boolean closed;

  private static final class Pending {
    final AuditEvent event;
    volatile Appended result;
    volatile RuntimeException error;

    Pending(AuditEvent event) {
      this.event = event;
    }

    boolean done() {
      return result != null || error != null;
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
    catchUp();
    List<Segment> segs = store.segments();
    segmentFirstSeq = segs.isEmpty() ? nextSeq : segs.get(segs.size() - 1).firstSeq();
    segmentOpenedAt = clock.instant();
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
    lastCheckpointAt = clock.instant();
    for (String note : store.recoveries()) {
      appendLocked(List.of(new Pending(systemEvent(Action.AUDIT_LOG_RECOVERED, "crash recovery on open")
          .severity(Severity.WARN).detail("recovery", note).build(clock))));
    }
    if (!signers.isEmpty() && lastCheckpointSize != nextSeq) {
      checkpointLocked(base.firstSeq());
    }
  }

  /** The latest checkpoint {@code anchor} holds for this log, if it verifies with this log's keys. */
  private SignedCheckpoint latestAnchored(CheckpointAnchor anchor) {
    try {
      Optional<String> note = anchor.latest(origin);
      SignedCheckpoint s = note.isEmpty() ? null : SignedCheckpoint.parse(note.get());
      boolean ours = s != null && s.checkpoint().origin().equals(origin)
          && !s.verifiedBy(signers.stream().map(CheckpointSigner::publicKey).toList()).isEmpty();
      return ours ? s : null;
    } catch (AuditFormatException | RuntimeException e) {
      // Unreadable now: the writer cannot compare; the verifier still will.
      lastAnchorError = anchor.getClass().getSimpleName() + ": cannot read the anchored checkpoint: " + e.getMessage();
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
        tree.append(leaf);
        lastChain = chain;
        nextSeq++;
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
   */
  public Appended append(AuditEvent event) {
    return appendAll(List.of(event)).get(0);
  }

  /**
   * Appends events (consecutive sequence numbers when no other thread appends at the same time)
   * and returns when all are durable.
   */
  public List<Appended> appendAll(List<AuditEvent> events) {
    List<Pending> mine = new ArrayList<>(events.size());
    for (AuditEvent e : events) {
      Objects.requireNonNull(e, "event");
      if (e.action().custom() && !allowCustomActions) {
        throw new IllegalArgumentException("action '" + e.action().name()
            + "' is not in the OWASP vocabulary; build the log with allowCustomActions(true) to accept it");
      }
      mine.add(new Pending(e));
    }
    queue.addAll(mine);
    lock.lock();
    try {
      if (closed) {
        for (Pending p : mine) {
          queue.remove(p);
        }
        throw new IllegalStateException("audit log is closed");
      }
      while (!allDone(mine)) {
        List<Pending> batch = new ArrayList<>();
        Pending p;
        while (batch.size() < maxBatch && (p = queue.poll()) != null) {
          batch.add(p);
        }
        if (batch.isEmpty()) {
          break;
        }
        appendLocked(batch);
      }
      try {
        housekeepingLocked();
      } catch (RuntimeException e) {
        // The events are durable and acknowledged; a failed checkpoint or seal shows in health()
        // and is retried on the next append or tick.
        lastAnchorError = "checkpoint/seal failed: " + e.getMessage();
      }
    } finally {
      lock.unlock();
    }
    List<Appended> out = new ArrayList<>(mine.size());
    for (Pending p : mine) {
      if (p.error != null) {
        throw new AuditException("audit event was not logged: " + p.error.getMessage(), p.error);
      }
      out.add(p.result);
    }
    return out;
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
    for (int attempt = 0; ; attempt++) {
      Instant recordedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
      List<StoredEvent> records = new ArrayList<>(batch.size());
      List<byte[]> leaves = new ArrayList<>(batch.size());
      List<Appended> acks = new ArrayList<>(batch.size());
      byte[] chain = lastChain;
      long seq = nextSeq;
      for (Pending p : batch) {
        byte[] payload = CanonicalEncoding.encodeToArray(new LoggedEvent(seq, recordedAt, p.event));
        byte[] leaf = Hashes.leaf(payload);
        chain = Hashes.chain(originUtf8, seq, chain, leaf);
        Bytes mac = chainKey == null ? Bytes.empty() : Bytes.wrap(chainKey.tag(chain));
        records.add(StoredEvent.of(seq, Bytes.wrap(payload), Bytes.wrap(chain), mac, origin));
        leaves.add(leaf);
        acks.add(new Appended(seq, recordedAt, Bytes.wrap(leaf), Bytes.wrap(chain)));
        seq++;
      }
      try {
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
      if (oldestUnanchoredAt == null) {
        oldestUnanchoredAt = recordedAt;
      }
      nextSeq = seq;
      lastChain = chain;
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result = acks.get(i);
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
    if (segCount > 0 && (segCount >= segmentMaxEvents || !now.isBefore(segmentOpenedAt.plus(segmentMaxAge)))) {
      sealLocked();
      return;
    }
    if (signers.isEmpty()) {
      return;
    }
    long pending = nextSeq - Math.max(lastCheckpointSize, 0);
    boolean due = pending > 0 && (pending >= checkpointEveryEvents || !now.isBefore(lastCheckpointAt.plus(checkpointInterval)));
    boolean heartbeat = !now.isBefore(lastCheckpointAt.plus(heartbeatInterval));
    if (due || heartbeat) {
      checkpointLocked(base.firstSeq());
    }
  }

  private void sealLocked() {
    if (!signers.isEmpty()) {
      checkpointLocked(base.firstSeq());
    }
    store.seal(nextSeq);
    segmentFirstSeq = nextSeq;
    segmentOpenedAt = clock.instant();
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
      lock.unlock();
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
      lock.unlock();
    }
  }

  private SignedCheckpoint checkpointLocked(long minIndex) {
    if (signers.isEmpty()) {
      throw new IllegalStateException("this log has no checkpoint signer");
    }
    Instant now = clock.instant();
    Checkpoint cp = new Checkpoint(origin, nextSeq, Bytes.wrap(tree.root()), Bytes.wrap(lastChain), minIndex, now);
    SignedCheckpoint signed = SignedCheckpoint.sign(cp, signers);
    store.putCheckpoint(signed.note());
    lastSigned = signed;
    lastCheckpointSize = nextSeq;
    lastCheckpointAt = now;
    String error = null;
    for (CheckpointAnchor a : anchors) {
      try {
        a.submit(signed);
      } catch (RuntimeException e) {
        error = a.getClass().getSimpleName() + ": " + e.getMessage();
      }
    }
    if (error == null && !anchors.isEmpty()) {
      lastAnchoredSize = nextSeq;
      oldestUnanchoredAt = null;
    }
    lastAnchorError = error;
    return signed;
  }

  /** The tamper window right now (events and age not yet covered by an anchored checkpoint). */
  public Health health() {
    lock.lock();
    try {
      long unanchored = nextSeq - lastAnchoredSize;
      Duration age = unanchored == 0 || oldestUnanchoredAt == null ? Duration.ZERO
          : Duration.between(oldestUnanchoredAt, clock.instant());
      return new Health(nextSeq, Math.max(lastCheckpointSize, 0), lastAnchoredSize, unanchored, age,
          Optional.ofNullable(lastAnchorError));
    } finally {
      lock.unlock();
    }
  }

  /** Number of events ever appended (the next sequence number). */
  public long size() {
    lock.lock();
    try {
      return nextSeq;
    } finally {
      lock.unlock();
    }
  }

  /** Seals the open segment now (with a checkpoint). */
  public void seal() {
    lock.lock();
    try {
      if (nextSeq > segmentFirstSeq) {
        sealLocked();
      }
    } finally {
      lock.unlock();
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
      lock.unlock();
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
          .build(clock));
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
      lock.unlock();
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
      lock.unlock();
    }
  }

  /** The log's origin (name). */
  public String origin() {
    return origin;
  }

  /**
   * Signs a final checkpoint (if events arrived since the last one) and stops accepting appends.
   * Does not close the store, which the host owns.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (!signers.isEmpty() && lastCheckpointSize != nextSeq) {
        checkpointLocked(base.firstSeq());
      }
      closed = true;
    } finally {
      lock.unlock();
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
      } finally {
        log.lock.unlock();
      }
      return log;
    }
  }
}
