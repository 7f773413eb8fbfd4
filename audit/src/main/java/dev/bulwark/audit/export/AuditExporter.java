package dev.bulwark.audit.export;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditFormatException;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.CanonicalEncoding;
import dev.bulwark.audit.CheckpointKey;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.Outcome;
import dev.bulwark.audit.ProofBundle;
import dev.bulwark.audit.Severity;
import dev.bulwark.audit.SignedCheckpoint;
import dev.bulwark.audit.internal.Hashes;
import dev.bulwark.audit.internal.MerkleTree;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.StoreHead;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.common.Bytes;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Ships an audit log to a SIEM, at least once, from a durable cursor on the sequence number.
 *
 * <pre>{@code
 * import dev.bulwark.audit.spi.AuditStore;
 * import java.nio.file.Path;
 * import javax.net.ssl.SSLContext;
 *
 * // Given: AuditStore store, SSLContext tls
 * AuditExporter exporter = AuditExporter.builder(store, "example.com/audit", SiemFormat.OCSF,
 *         SyslogTlsSink.builder("siem.example.com", 6514, tls).hostname("app-1").build())
 *     .cursor(FileExportCursor.open(Path.of("/var/lib/app/audit-export.cursor"), "example.com/audit", 0))
 *     .build();
 * exporter.start();   // a daemon thread; or call exportAvailable() from the host's scheduler
 * }</pre>
 *
 * <p><b>What is exported.</b> Events are read from the store, not handed over by the append path,
 * so the login path never waits for the exporter and a slow or absent receiver never fills a
 * memory queue: the log itself is the bounded, durable queue. By default only events a stored
 * signed checkpoint covers are exported, and each carries the proof against the first checkpoint
 * that covers it (canonical event, RFC 6962 inclusion proof, signed note), so the SIEM's copy can
 * be verified offline with the log's public key. A checkpoint whose root does not match the stored
 * events stops the export (an {@link ExportException}; run the verifier): the exporter never
 * ships a proof that would not verify.
 *
 * <p><b>Delivery.</b> The cursor is committed only after the sink confirmed a batch (a file
 * sink when it wrote it; a syslog sink after an orderly close of its connection, see
 * {@link SyslogTlsSink}); a crash, a sink failure or a receiver outage leaves it where it was, and
 * the next attempt sends everything since then again, rendered to the same text with the same
 * event id. Damaged records stop the export at
 * that point (the verifier reports them); nothing after them is skipped silently.
 *
 * <p><b>Drops.</b> Only when the host allows them ({@link Builder#maxLag}): if the backlog grows
 * beyond the limit, the oldest undelivered events are skipped, counted in {@link #stats()} and,
 * when the builder has a log to record to, reported as a {@code sys_monitor_disabled} audit
 * event (reason {@code siem_export_dropped}, the skipped range in its details), which is itself
 * exported. Events pruned by retention before they were exported are counted the same way.
 *
 * <p>Thread-safe: export steps run one at a time.
 */
public final class AuditExporter implements AutoCloseable {

  private final AuditStore store;
  private final String origin;
  private final SiemFormat format;
  private final ExportSink sink;
  private final ExportCursor cursor;
  private final int batchSize;
  private final List<CheckpointKey> trusted;
  private final boolean exportUncovered;
  private final long maxLag;
  private final AuditLog dropLog;
  private final InstantSource clock;
  private final Duration pollInterval;
  private final Duration maxBackoff;
  private final long confirmEvery;
  private final long until;

  private final Object stepLock = new Object();
  // Guarded by stepLock.
  /** Each event is rendered here, then copied out at its exact length. */
  private final Utf8Out render = new Utf8Out(8192);
  private MerkleTree tree;
  private final TreeMap<Long, SignedCheckpoint> checkpoints = new TreeMap<>();
  private int checkpointNotesSeen;
  /** A read of the store kept open between batches (a store read is a scan, not a seek, in some stores). */
  private Stream<StoredEvent> openRead;
  private Iterator<StoredEvent> openIterator;
  /** The sequence number openIterator returns next. */
  private long openNext = -1;
  /** End of what was written to a sink that has not confirmed it yet; -1 when nothing is pending. */
  private long unconfirmedEnd = -1;
  private long delivered;
  private long dropped;
  private long failedAttempts;
  private String lastError;

  private final Object wakeLock = new Object();
  private boolean wakeRequested;
  private volatile boolean closed;
  private Thread thread;

  private AuditExporter(Builder b) {
    this.store = b.store;
    this.origin = b.origin;
    this.format = b.format;
    this.sink = b.sink;
    this.cursor = b.cursor;
    this.batchSize = b.batchSize;
    this.trusted = List.copyOf(b.trusted);
    this.exportUncovered = b.exportUncovered;
    this.maxLag = b.maxLag;
    this.dropLog = b.dropLog;
    this.clock = b.clock;
    this.pollInterval = b.pollInterval;
    this.maxBackoff = b.maxBackoff;
    this.confirmEvery = b.confirmEvery;
    this.until = b.until;
  }

  /** Starts an exporter of the log {@code origin} kept in {@code store}, to {@code sink}. */
  public static Builder builder(AuditStore store, String origin, SiemFormat format, ExportSink sink) {
    return new Builder(store, origin, format, sink);
  }

  /**
   * Delivers one batch from the cursor.
   *
   * @return the number of events delivered (0 when caught up)
   * @throws ExportException if the store, the checkpoints or the sink failed; the cursor did not move
   */
  public int exportBatch() throws ExportException {
    synchronized (stepLock) {
      try {
        return step();
      } catch (ExportException e) {
        unconfirmedEnd = -1; // send everything since the committed cursor again
        closeRead();
        failedAttempts++;
        lastError = e.getMessage();
        throw e;
      }
    }
  }

  /**
   * Delivers batches until the cursor reaches what can be exported now.
   *
   * @return the number of events delivered
   */
  public long exportAvailable() throws ExportException {
    long total = 0;
    int n;
    while ((n = exportBatch()) > 0) {
      total += n;
    }
    return total;
  }

  /** What the exporter has done so far. */
  public ExportStats stats() {
    synchronized (stepLock) {
      long next;
      try {
        next = cursor.next();
      } catch (IOException e) {
        next = -1;
      }
      return new ExportStats(next, delivered, dropped, failedAttempts, lastError);
    }
  }

  /**
   * Runs the export on a daemon thread: it exports what is available, then waits for
   * {@link #wake()} or the poll interval; after a failure it waits with exponential backoff (up to
   * the builder's limit) and tries again from the cursor.
   */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("already started");
    }
    if (closed) {
      throw new IllegalStateException("closed");
    }
    thread = new Thread(this::run, "bulwark-audit-export");
    thread.setDaemon(true);
    thread.start();
  }

  /** Asks the background thread to look for new events now (after an append, for instance). */
  public void wake() {
    synchronized (wakeLock) {
      wakeRequested = true;
      wakeLock.notifyAll();
    }
  }

  /** Stops the background thread (if any) and closes the sink. The store is the host's. */
  @Override
  public void close() throws IOException {
    closed = true;
    wake();
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (stepLock) {
      closeRead();
      sink.close();
    }
  }

  private void run() {
    long backoffMillis = 0;
    while (!closed) {
      long waitMillis;
      try {
        exportAvailable();
        backoffMillis = 0;
        waitMillis = pollInterval.toMillis();
      } catch (ExportException | RuntimeException e) {
        if (e instanceof RuntimeException) {
          synchronized (stepLock) {
            failedAttempts++;
            lastError = e.toString();
          }
        }
        backoffMillis = backoffMillis == 0 ? 100 : Math.min(backoffMillis * 2, maxBackoff.toMillis());
        waitMillis = backoffMillis;
      }
      synchronized (wakeLock) {
        if (!wakeRequested && !closed) {
          try {
            wakeLock.wait(Math.max(1, waitMillis));
          } catch (InterruptedException e) {
            if (closed) {
              return;
            }
          }
        }
        wakeRequested = false;
      }
    }
  }

  // ---- one step ------------------------------------------------------------------------------

  private int step() throws ExportException {
    long next;
    StoreHead head;
    try {
      next = cursor.next();
      head = store.head();
    } catch (IOException | RuntimeException e) {
      throw new ExportException("cannot read the export cursor or the store head: " + e.getMessage(), e);
    }
    PruneBase base = head.base();
    if (tree == null) {
      List<byte[]> range = new ArrayList<>();
      for (Bytes b : base.compactRange()) {
        range.add(b.toByteArray());
      }
      tree = new MerkleTree(base.firstSeq(), range);
    }
    if (next < tree.cut()) {
      next = skip(next, tree.cut(), "pruned before export");
    }
    refreshCheckpoints();
    long covered = checkpoints.isEmpty() ? 0 : checkpoints.lastKey();
    long horizon = Math.min(until, exportUncovered ? Math.max(head.nextSeq(), covered) : covered);
    if (maxLag > 0 && horizon - next > maxLag) {
      next = skip(next, horizon - maxLag, "lag beyond " + maxLag + " events");
    }
    if (unconfirmedEnd > next) {
      if (unconfirmedEnd >= horizon || unconfirmedEnd - next >= confirmEvery) {
        confirm(unconfirmedEnd);
        return unconfirmedEnd >= horizon ? 0 : step();
      }
      next = unconfirmedEnd;
    }
    if (next >= horizon) {
      return 0;
    }
    long end = Math.min(horizon, next + batchSize);
    Map.Entry<Long, SignedCheckpoint> lastCovering = checkpoints.higherEntry(end - 1);
    extendTree(lastCovering != null ? lastCovering.getKey() : Math.min(end, covered));
    List<ExportSink.Line> lines = new ArrayList<>((int) (end - next));
    try {
      for (long seq = next; seq < end; seq++) {
        StoredEvent se = nextStored(seq);
        LoggedEvent le = decode(se, seq);
        ProofBundle proof = null;
        Map.Entry<Long, SignedCheckpoint> cp = checkpoints.higherEntry(seq);
        if (cp != null) {
          List<Bytes> path = new ArrayList<>();
          for (byte[] h : tree.inclusionProof(seq, cp.getKey())) {
            path.add(Bytes.of(h));
          }
          proof = new ProofBundle(seq, se.payload(), path, cp.getValue());
        }
        ExportedEvent ev = new ExportedEvent(origin, le, proof);
        render.reset();
        format.renderInto(ev, render);
        lines.add(ExportSink.Line.ofUtf8(ev, render.toByteArray()));
      }
    } catch (ExportException e) {
      closeRead();
      throw e;
    } catch (RuntimeException e) {
      closeRead();
      throw new ExportException("reading the audit store from " + next + " failed: " + e.getMessage(), e);
    }
    boolean received;
    try {
      received = sink.deliver(lines);
    } catch (IOException | RuntimeException e) {
      throw new ExportException("the sink did not take events [" + next + ", " + end + "): " + e.getMessage(), e);
    }
    delivered += lines.size();
    if (received) {
      unconfirmedEnd = -1;
      commit(end);
    } else {
      unconfirmedEnd = end;
    }
    return lines.size();
  }

  private void confirm(long end) throws ExportException {
    try {
      sink.confirm();
    } catch (IOException | RuntimeException e) {
      throw new ExportException("the sink could not confirm events before " + end + " (they will be sent again): "
          + e.getMessage(), e);
    }
    unconfirmedEnd = -1;
    commit(end);
  }

  /**
   * The stored record {@code seq}, from the read kept open since the last batch when it is at
   * {@code seq}; otherwise (first call, a rewind, the end of that read's snapshot) from a new read.
   */
  private StoredEvent nextStored(long seq) {
    if (openIterator == null || openNext != seq || !openIterator.hasNext()) {
      closeRead();
      openRead = store.read(seq);
      openIterator = openRead.iterator();
    }
    openNext = seq + 1;
    return openIterator.hasNext() ? openIterator.next() : null;
  }

  private void closeRead() {
    if (openRead != null) {
      openRead.close();
    }
    openRead = null;
    openIterator = null;
    openNext = -1;
  }

  private LoggedEvent decode(StoredEvent se, long seq) throws ExportException {
    if (se == null || se.seq() != seq) {
      throw new ExportException("event " + seq + " is missing from the store (found "
          + (se == null ? "the end" : "seq " + se.seq()) + "); run AuditVerifier");
    }
    if (se.isDamaged()) {
      throw new ExportException("event " + seq + " is damaged at " + se.location() + "; run AuditVerifier");
    }
    try {
      LoggedEvent le = CanonicalEncoding.decode(se.payload());
      if (le.seq() != seq) {
        throw new ExportException("record " + seq + " holds event " + le.seq() + "; run AuditVerifier");
      }
      return le;
    } catch (AuditFormatException e) {
      throw new ExportException("event " + seq + " does not decode: " + e.getMessage() + "; run AuditVerifier", e);
    }
  }

  private void commit(long end) throws ExportException {
    try {
      cursor.commit(end);
    } catch (IOException | RuntimeException e) {
      throw new ExportException("delivered events before " + end + " but could not commit the cursor (they will be"
          + " sent again): " + e.getMessage(), e);
    }
  }

  private long skip(long from, long to, String why) throws ExportException {
    unconfirmedEnd = -1;
    commit(to);
    long n = to - from;
    dropped += n;
    if (dropLog != null) {
      AuditEvent notice = AuditEvent.builder(Action.SYS_MONITOR_DISABLED, Actor.system("bulwark-audit-export"))
          .outcome(Outcome.FAILURE).severity(Severity.WARN).reason("siem_export_dropped")
          .target("audit_log", origin)
          .detail("from_seq", Long.toString(from)).detail("to_seq", Long.toString(to))
          .detail("count", Long.toString(n)).detail("cause", why)
          .build(clock);
      try {
        dropLog.appendAsync(notice);
      } catch (RuntimeException e) {
        // The drop is still counted in stats(); the log refusing the notice must not stop the export.
        lastError = "could not record dropped events [" + from + ", " + to + ") in the audit log: " + e.getMessage();
      }
    }
    return to;
  }

  private void refreshCheckpoints() throws ExportException {
    List<String> notes;
    try {
      notes = store.checkpoints();
    } catch (RuntimeException e) {
      throw new ExportException("cannot read stored checkpoints: " + e.getMessage(), e);
    }
    for (int i = checkpointNotesSeen; i < notes.size(); i++) {
      SignedCheckpoint s;
      try {
        s = SignedCheckpoint.parse(notes.get(i));
      } catch (AuditFormatException e) {
        continue; // a damaged note proves nothing; the verifier reports it
      }
      long size = s.checkpoint().size();
      if (!s.checkpoint().origin().equals(origin) || size <= tree.cut()
          || (!trusted.isEmpty() && s.verifiedBy(trusted).isEmpty())) {
        continue;
      }
      checkpoints.putIfAbsent(size, s);
    }
    checkpointNotesSeen = notes.size();
  }

  /** Appends leaf hashes up to {@code size} and checks every checkpoint the tree now reaches. */
  private void extendTree(long size) throws ExportException {
    if (tree.size() >= size) {
      return;
    }
    long from = tree.size();
    try (Stream<StoredEvent> s = store.read(from)) {
      Iterator<StoredEvent> it = s.iterator();
      for (long seq = from; seq < size; seq++) {
        StoredEvent se = it.hasNext() ? it.next() : null;
        decode(se, seq);
        tree.append(Hashes.leaf(se.payload().toByteArray()));
      }
    } catch (RuntimeException e) {
      throw new ExportException("reading the audit store from " + from + " failed: " + e.getMessage(), e);
    }
    for (Map.Entry<Long, SignedCheckpoint> cp : checkpoints.subMap(from, false, size, true).entrySet()) {
      if (!MessageDigest.isEqual(tree.rootAt(cp.getKey()), cp.getValue().checkpoint().root().toByteArray())) {
        throw new ExportException("the stored events do not match the signed checkpoint at size " + cp.getKey()
            + "; refusing to export; run AuditVerifier");
      }
    }
  }

  /** Options; {@link #build()} validates them. */
  public static final class Builder {
    private final AuditStore store;
    private final String origin;
    private final SiemFormat format;
    private final ExportSink sink;
    private ExportCursor cursor = ExportCursor.inMemory(0);
    private int batchSize = 256;
    private final List<CheckpointKey> trusted = new ArrayList<>();
    private boolean exportUncovered;
    private long maxLag;
    private AuditLog dropLog;
    private InstantSource clock = Clock.systemUTC();
    private Duration pollInterval = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private long confirmEvery = 10_000;
    private long until = Long.MAX_VALUE;

    private Builder(AuditStore store, String origin, SiemFormat format, ExportSink sink) {
      this.store = Objects.requireNonNull(store, "store");
      this.origin = Objects.requireNonNull(origin, "origin");
      this.format = Objects.requireNonNull(format, "format");
      this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** Where the position is kept (default: in memory from 0, so a restart re-sends everything). */
    public Builder cursor(ExportCursor c) {
      this.cursor = Objects.requireNonNull(c, "cursor");
      return this;
    }

    /** Events per sink call (default 256). */
    public Builder batchSize(int events) {
      this.batchSize = events;
      return this;
    }

    /** Only checkpoints signed by a trusted key count as covering (default: any stored checkpoint of the origin). */
    public Builder trust(CheckpointKey key) {
      trusted.add(Objects.requireNonNull(key, "key"));
      return this;
    }

    /**
     * Also export events no checkpoint covers yet, without a proof (default false: export waits
     * for the writer's next checkpoint). Needed for logs without a signer.
     */
    public Builder exportUncovered(boolean on) {
      this.exportUncovered = on;
      return this;
    }

    /**
     * Allows drops: when more than {@code events} events wait, skip the oldest so the SIEM stays
     * current; each skip is counted and, with a non-null {@code recordTo}, appended to that log as
     * an audit event. Default: no drops (the backlog waits in the log).
     */
    public Builder maxLag(long events, AuditLog recordTo) {
      if (events < 1) {
        throw new IllegalArgumentException("maxLag must be >= 1 event");
      }
      this.maxLag = events;
      this.dropLog = recordTo;
      return this;
    }

    /** Time source for the drop events (default UTC system clock). */
    public Builder clock(InstantSource c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /** How often the background thread looks for new events (default 1 s) and the longest wait after failures (default 30 s). */
    public Builder polling(Duration interval, Duration maxBackoffAfterFailure) {
      this.pollInterval = Objects.requireNonNull(interval, "interval");
      this.maxBackoff = Objects.requireNonNull(maxBackoffAfterFailure, "maxBackoffAfterFailure");
      return this;
    }

    /**
     * For sinks without acknowledgements (syslog over TLS): confirm receipt, and commit the cursor,
     * at least every {@code events} events (default 10,000) and whenever the export caught up.
     */
    public Builder confirmEvery(long events) {
      if (events < 1) {
        throw new IllegalArgumentException("confirmEvery must be >= 1");
      }
      this.confirmEvery = events;
      return this;
    }

    /** Stops before event {@code endExclusive} (default: no end; for one-off exports of a range). */
    public Builder until(long endExclusive) {
      if (endExclusive < 0) {
        throw new IllegalArgumentException("until must be >= 0");
      }
      this.until = endExclusive;
      return this;
    }

    public AuditExporter build() {
      if (batchSize < 1 || batchSize > 65_536) {
        throw new IllegalArgumentException("batchSize must be 1..65536");
      }
      if (pollInterval.isNegative() || pollInterval.isZero() || maxBackoff.isNegative() || maxBackoff.isZero()) {
        throw new IllegalArgumentException("poll interval and backoff must be positive");
      }
      return new AuditExporter(this);
    }
  }
}
