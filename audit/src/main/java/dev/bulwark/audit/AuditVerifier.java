package dev.bulwark.audit;

import dev.bulwark.audit.internal.Hashes;
import dev.bulwark.audit.internal.MerkleTree;
import dev.bulwark.audit.internal.StoreCapabilities;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.CheckpointAnchor;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.stream.Stream;

/**
 * Checks a stored audit log end to end and reports <em>every</em> finding with a code and a
 * location ({@link FindingCode}): record damage, chain and MAC breaks, gaps, reordering, forks,
 * Merkle roots against signed checkpoints, checkpoint signatures and consistency, truncation and
 * rollback against anchored checkpoints, prune receipts, unsealed tails and crash recoveries.
 *
 * <p>It never calls a log intact without saying what it could not check: with no public key the
 * checkpoints are unauthenticated, with no chain key a keyed chain's tags are unchecked, and with
 * no anchor truncation and rollback cannot be detected ({@link VerificationReport#notChecked()}).
 *
 * <p>One problem gives one finding, and the scan resynchronises after it: an unreadable frame
 * is reported once with the events it held, a deleted event as one gap, moved or swapped events
 * as the fewest events that explain the stored order, consecutive events with the same problem
 * as one finding with a range, and checkpoints that only carry an earlier difference forward
 * extend that finding. Independent problems later in the log are each reported.
 *
 * <p>Streaming: memory is about 64 bytes per event (the rebuilt Merkle tree). Per-event checks
 * run in runs of 1,024 records on worker threads (one fewer than the processors) and on the
 * calling thread whenever it would otherwise wait; for a {@link FileAuditStore} that includes
 * the frame CRCs and decoding, and the calling thread only walks frame headers. Sequencing and
 * the tree stay on the calling thread; the workers end with the call. Thread-safe (immutable);
 * each call reads the store afresh.
 */
public final class AuditVerifier {

  private static final int REORDER_WINDOW = 4096;
  /** Records per unit of parallel work. */
  private static final int CHUNK = 1024;

  private final String origin;
  private final byte[] originUtf8;
  private final List<CheckpointKey> keys;
  private final ChainKey chainKey;
  private final List<CheckpointAnchor> anchors;
  private final long unsealedBound;

  private AuditVerifier(Builder b) {
    this.origin = b.origin;
    this.originUtf8 = b.origin.getBytes(StandardCharsets.UTF_8);
    this.keys = List.copyOf(b.keys);
    this.chainKey = b.chainKey;
    this.anchors = List.copyOf(b.anchors);
    this.unsealedBound = AuditLog.unsealedBound(b.checkpointEveryEvents, b.maxBatch);
  }

  public static Builder builder(String origin) {
    return new Builder(origin);
  }

  /** Configures a verifier. Not thread-safe. */
  public static final class Builder {
    private final String origin;
    private final List<CheckpointKey> keys = new ArrayList<>();
    private ChainKey chainKey;
    private final List<CheckpointAnchor> anchors = new ArrayList<>();
    private long checkpointEveryEvents = 1000;
    private int maxBatch = 4096;

    private Builder(String origin) {
      this.origin = Objects.requireNonNull(origin, "origin");
    }

    /** Trusts checkpoints signed by {@code key}. */
    public Builder trust(CheckpointKey key) {
      keys.add(Objects.requireNonNull(key, "key"));
      return this;
    }

    /** Checks the HMAC tags of a keyed chain. */
    public Builder chainKey(ChainKey key) {
      this.chainKey = Objects.requireNonNull(key, "key");
      return this;
    }

    /** Reads the latest anchored checkpoint from {@code anchor} to detect truncation and rollback. */
    public Builder anchor(CheckpointAnchor anchor) {
      anchors.add(Objects.requireNonNull(anchor, "anchor"));
      return this;
    }

    /**
     * The writer's checkpoint cadence and group-commit batch ({@link AuditLog.Builder#checkpointEvery}
     * and {@link AuditLog.Builder#maxBatch}; 1000 and 4096 by default). With trusted keys, more
     * events after the newest signed checkpoint than such a writer can leave unsigned is
     * {@link FindingCode#CHECKPOINTS_MISSING}.
     */
    public Builder checkpointCadence(long events, int maxBatch) {
      if (events < 1 || maxBatch < 1) {
        throw new IllegalArgumentException("checkpoint cadence and batch must be positive");
      }
      this.checkpointEveryEvents = events;
      this.maxBatch = maxBatch;
      return this;
    }

    public AuditVerifier build() {
      return new AuditVerifier(this);
    }
  }

  /**
   * One stored record with everything about it that does not depend on other records, computed
   * by the worker threads: the event's own sequence number, whether its bytes are canonical, its
   * leaf hash, its chain link to the record stored just before it, its MAC.
   */
  private static final class Rec {
    final StoredEvent stored;
    /** Position in the stored order (set when the record is sequenced). */
    long index;
    /** The sequence number the store filed the record under: its place in the log. */
    long seq;
    /** The sequence number inside the event's (hashed) bytes; equals seq unless tampered. */
    long eventSeq;
    /** A damaged record that still names its sequence number (it occupies that place). */
    boolean hole;
    String decodeError;
    String action;
    byte[] leaf;
    /** chain(seq, chain hash of the record stored just before, leaf), or null. */
    byte[] linkedChain;
    boolean linkOk;
    int mac;
    /** Arrived while others waited for a predecessor; reordering findings cover it. */
    boolean inEpisode;

    /**
     * Byte offset of the frame in its segment when {@code stored}'s location names only the
     * segment (the parallel file scan builds the full location only for findings); else -1.
     */
    int offset = -1;

    Rec(StoredEvent stored) {
      this.stored = stored;
    }

    /** Where the record lives, as the store's reader names it. */
    String location() {
      return offset < 0 ? stored.location() : stored.location() + "@" + offset;
    }
  }

  /** An unreadable frame: its finding and the readable records stored around it. */
  private static final class Damage {
    final int finding;
    /** Seq of the readable record stored just before it. */
    final long after;
    /** Seq of the readable record stored just after it; -1 until known. */
    long before = -1;

    /** The first record's damage text, and how many unreadable records followed it directly. */
    final String message;
    long more;

    Damage(int finding, long after, String message) {
      this.finding = finding;
      this.after = after;
      this.message = message;
    }
  }

  /** Findings kept in full; beyond, they are counted per code (memory stays bounded on any input). */
  static final int MAX_FINDINGS = 10_000;
  /** Gaps and unreadable frames remembered for attributing later records. */
  private static final int MAX_TRACKED = 100_000;

  /**
   * The findings of one run. Past {@link #MAX_FINDINGS} a finding is only counted: its slot holds
   * a shared placeholder (so indexes stay valid) that later updates leave alone.
   */
  static final class FindingList extends java.util.AbstractList<Finding> {
    private static final Finding DROPPED = new Finding(FindingCode.MALFORMED, -1, "-", "-");
    private final ArrayList<Finding> list = new ArrayList<>();
    private final java.util.EnumMap<FindingCode, Long> dropped = new java.util.EnumMap<>(FindingCode.class);
    private int kept;

    @Override
    public boolean add(Finding f) {
      if (kept >= MAX_FINDINGS) {
        dropped.merge(f.code(), 1L, Long::sum);
        return list.add(DROPPED);
      }
      kept++;
      return list.add(f);
    }

    @Override
    public Finding get(int index) {
      return list.get(index);
    }

    @Override
    public Finding set(int index, Finding f) {
      Finding old = list.get(index);
      return old == DROPPED ? old : list.set(index, f);
    }

    @Override
    public int size() {
      return list.size();
    }

    /** The kept findings, then one summary per code of what was only counted. */
    List<Finding> materialize() {
      List<Finding> out = new ArrayList<>(kept + dropped.size());
      for (Finding f : list) {
        if (f != DROPPED) {
          out.add(f);
        }
      }
      dropped.forEach((code, n) -> out.add(new Finding(code, -1, "log", n + " more " + code
          + " finding(s) not listed (more than " + MAX_FINDINGS + " findings in all)")));
      return out;
    }
  }

  private static final int MAC_NONE = 0;
  private static final int MAC_OK = 1;
  private static final int MAC_BAD = 2;
  private static final int MAC_MISSING = 3;
  private static final int MAC_UNCHECKED = 4;

  /** A run of consecutive records handed to a worker. */
  private class Chunk implements Runnable {
    final Rec[] recs = new Rec[CHUNK];
    int n;
    /** Set by whichever thread runs the chunk (a worker or the scanning thread): it runs once. */
    private final java.util.concurrent.atomic.AtomicBoolean claimed = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
    private Throwable failure;
    /** Chain hash of the record stored just before the first one (null if unknown). */
    final byte[] before;

    Chunk(byte[] before) {
      this.before = before;
    }

    /** Runs the chunk unless another thread has taken it; true if this call ran it. */
    boolean runIfUnclaimed() {
      if (!claimed.compareAndSet(false, true)) {
        return false;
      }
      try {
        run();
      } catch (RuntimeException | Error e) {
        failure = e;
      } finally {
        finished.countDown();
      }
      return true;
    }

    /** Makes sure nobody runs it (a chunk the scan discards). */
    void discard() {
      claimed.set(true);
    }

    boolean isFinished() {
      return finished.getCount() == 0;
    }

    /** Waits until the thread that took the chunk finished it, and rethrows what it threw. */
    Chunk await() {
      boolean interrupted = false;
      while (true) {
        try {
          finished.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (failure instanceof RuntimeException) {
        throw (RuntimeException) failure;
      }
      if (failure instanceof Error) {
        throw (Error) failure;
      }
      return this;
    }

    /** Stored chain hash of the last record, for the next chunk's first link. */
    byte[] lastChain() {
      StoredEvent last = recs[n - 1].stored;
      return last.isDamaged() ? null : last.chainHash().unsafeArray();
    }

    @Override
    public void run() {
      check();
    }

    /** The per-record checks that need no other record but the one stored before. */
    final void check() {
      Hashes.Hasher hasher = new Hashes.Hasher(originUtf8);
      ChainKey.Tagger m = chainKey == null ? null : chainKey.newTagger();
      byte[] tag = new byte[32];
      CanonicalEncoding.Header h = new CanonicalEncoding.Header();
      byte[] prev = before;
      for (int i = 0; i < n; i++) {
        Rec r = recs[i];
        StoredEvent s = r.stored;
        if (s.isDamaged()) {
          r.hole = s.seq() >= 0;
          r.seq = s.seq();
          prev = null;
          continue;
        }
        byte[] payload = s.payload().unsafeArray();
        r.seq = s.seq();
        r.eventSeq = s.seq();
        try {
          CanonicalEncoding.check(payload, h);
          r.eventSeq = h.seq;
          r.action = h.action;
        } catch (AuditFormatException e) {
          r.decodeError = e.getMessage();
        }
        r.leaf = hasher.leaf(payload, 0, payload.length);
        byte[] stored = s.chainHash().unsafeArray();
        if (prev != null) {
          r.linkedChain = new byte[Hashes.SIZE];
          hasher.chain(r.eventSeq, prev, 0, r.leaf, 0, r.linkedChain, 0);
          r.linkOk = MessageDigest.isEqual(r.linkedChain, stored);
        }
        byte[] mac = s.mac().unsafeArray();
        if (m == null) {
          r.mac = mac.length == 0 ? MAC_NONE : MAC_UNCHECKED;
        } else if (mac.length == 0) {
          r.mac = MAC_MISSING;
        } else {
          m.tag(stored, 0, tag, 0);
          r.mac = MessageDigest.isEqual(tag, mac) ? MAC_OK : MAC_BAD;
        }
        prev = stored;
      }
    }
  }

  /**
   * A run of frames of one segment file whose headers (magic and length) the scanning thread
   * walked: the worker also checks their CRCs and decodes them, as the store's reader would.
   * At the first frame whose CRC fails it stops ({@link #failedAt}); the scan then discards
   * whatever it walked beyond and reads the rest of the segment with the store's own reader,
   * which resynchronises after damage.
   */
  private final class FrameChunk extends Chunk {
    final StoreCapabilities.MappedSegment segment;
    final int segmentIndex;
    final long fromSeq;
    final int[] positions = new int[CHUNK];
    int count;
    /** Offset of the first frame that is not valid after all; -1 if every frame was. */
    int failedAt = -1;

    FrameChunk(StoreCapabilities.MappedSegment segment, int segmentIndex, long fromSeq) {
      super(null);
      this.segment = segment;
      this.segmentIndex = segmentIndex;
      this.fromSeq = fromSeq;
    }

    @Override
    public void run() {
      java.nio.ByteBuffer buf = segment.buf();
      java.nio.ByteBuffer view = buf.duplicate();
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      for (int i = 0; i < count; i++) {
        int pos = positions[i];
        int len = AuditFrame.validFrameAt(buf, pos, segment.limit(), AuditFrame.MAGIC_EVENT, crc, view);
        if (len < 0) {
          failedAt = pos;
          break;
        }
        StoredEvent e = AuditFrame.decodeEventBody(buf, pos + AuditFrame.HEADER_BYTES, len - AuditFrame.HEADER_BYTES,
            segment.name());
        if (e.isDamaged() || e.seq() >= fromSeq) {
          Rec r = new Rec(e);
          r.offset = pos;
          recs[n++] = r;
        }
      }
      check();
    }
  }

  /**
   * Cuts what a file store's reader would give into chunks, in stored order: the foreign-file
   * records, then per segment runs of frames found by walking their headers, and, from any
   * place where that walk or a frame's CRC fails, the store's own reader.
   */
  private final class FileCursor {
    private final List<StoredEvent> foreign;
    private final List<StoreCapabilities.MappedSegment> segments;
    private final long fromSeq;
    private int foreignAt;
    private int seg;
    private int pos;
    private java.util.Iterator<StoredEvent> reader;

    FileCursor(StoreCapabilities.FrameScan view, long fromSeq) {
      this.foreign = view.foreign();
      this.segments = view.segments();
      this.fromSeq = fromSeq;
    }

    /** The next chunk, or null at the end. */
    Chunk next() {
      if (foreignAt < foreign.size()) {
        Chunk c = new Chunk(null);
        while (c.n < CHUNK && foreignAt < foreign.size()) {
          c.recs[c.n++] = new Rec(foreign.get(foreignAt++));
        }
        return c;
      }
      while (seg < segments.size()) {
        StoreCapabilities.MappedSegment v = segments.get(seg);
        if (v.unreadable() != null) {
          Chunk c = new Chunk(null);
          c.recs[c.n++] = new Rec(v.unreadable());
          nextSegment();
          return c;
        }
        if (reader != null) {
          Chunk c = new Chunk(null);
          while (c.n < CHUNK && reader.hasNext()) {
            StoredEvent e = reader.next();
            if (e.isDamaged() || e.seq() >= fromSeq) {
              c.recs[c.n++] = new Rec(e);
            }
          }
          if (!reader.hasNext()) {
            nextSegment();
          }
          if (c.n > 0) {
            return c;
          }
          continue;
        }
        if (pos >= v.limit()) {
          nextSegment();
          continue;
        }
        FrameChunk c = new FrameChunk(v, seg, fromSeq);
        java.nio.ByteBuffer buf = v.buf();
        int limit = v.limit();
        while (c.count < CHUNK && limit - pos >= AuditFrame.HEADER_BYTES && buf.getInt(pos) == AuditFrame.MAGIC_EVENT) {
          int len = buf.getInt(pos + 4);
          if (len < 0 || len > AuditFrame.MAX_BODY_BYTES || len > limit - pos - AuditFrame.HEADER_BYTES) {
            break;
          }
          c.positions[c.count++] = pos;
          pos += AuditFrame.HEADER_BYTES + len;
        }
        if (c.count > 0) {
          return c;
        }
        reader = v.frames(pos); // no frame header here: damage, which the store's reader reports
      }
      return null;
    }

    private void nextSegment() {
      seg++;
      pos = 0;
      reader = null;
    }

    /** Continues with the store's reader at {@code offset} of segment {@code index}. */
    void resume(int index, int offset) {
      seg = index;
      reader = segments.get(index).frames(offset);
    }
  }

  /**
   * The chunks handed out and not yet sequenced, oldest first. Worker threads take them in
   * order; the scanning thread, when the oldest is not finished yet, runs chunks nobody has
   * taken instead of waiting, so every processor works until the end.
   */
  private static final class Pipeline {
    private final Workers workers;
    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();

    Pipeline(Workers workers) {
      this.workers = workers;
    }

    /** True while there is room for another chunk. */
    boolean wantsMore() {
      return chunks.size() <= workers.window();
    }

    boolean isEmpty() {
      return chunks.isEmpty();
    }

    void add(Chunk c) {
      chunks.add(c);
      workers.execute(c::runIfUnclaimed);
    }

    /** The oldest chunk, finished. */
    Chunk take() {
      Chunk head = chunks.poll();
      if (!head.runIfUnclaimed()) {
        for (Chunk c : chunks) {
          if (head.isFinished()) {
            break;
          }
          c.runIfUnclaimed();
        }
      }
      return head.await();
    }

    /** Drops every chunk not yet taken (the scan re-reads from an earlier place). */
    void discardAll() {
      for (Chunk c : chunks) {
        c.discard();
      }
      chunks.clear();
    }
  }

  /**
   * The sequential part of a verification: puts records in sequence order, checks each chain
   * link against the event actually before it, rebuilds the Merkle tree, and turns what it sees
   * into findings. One problem gives one finding: a damaged frame is reported once for the
   * events it held, a deleted event as one gap, moved events as the fewest events that explain
   * the stored order, and runs of events with the same problem as one finding with a range.
   */
  private final class Run {
    final List<Finding> early = new ArrayList<>();
    final FindingList findings = new FindingList();
    final List<String> notChecked = new ArrayList<>();
    final PruneBase base;
    final MerkleTree tree;
    final Hashes.Hasher hasher = new Hashes.Hasher(originUtf8);
    long expected;
    /** Stored chain hash of the last accepted event; null when unknown (after a gap). */
    byte[] prev;
    /** Chain hash recomputed for the last accepted event; null when unknown. */
    byte[] prevComputed;
    long lastAcceptedIndex = -1;
    /** Stored position of the next record sequenced. */
    long nextIndex;
    boolean acceptedAny;
    long checked;
    boolean macsSeen;
    /** Lowest sequence number reported modified (its leaf may be forged). */
    long taintedAt = Long.MAX_VALUE;
    final TreeMap<Long, Rec> pending = new TreeMap<>();
    /** Records that arrived while some were waiting for a predecessor (a reordering episode). */
    final List<Rec> episode = new ArrayList<>();
    /** Stored position minus sequence number of the records in place before the episode. */
    long episodeOffset;
    /** Unreadable frames since the last readable record (their next neighbour is not known yet). */
    final List<Damage> openDamage = new ArrayList<>();
    /** Unreadable frames by the first sequence number they may have held (after their neighbour). */
    final TreeMap<Long, Damage> damageAt = new TreeMap<>();
    /** Sequence number of the last readable record read, in stored order. */
    long lastReadSeq;
    /** A TORN_TAIL finding at the end of the log, if any. */
    int tornFinding = -1;
    /** Sequence numbers given up as missing: start -> {end (exclusive), finding index}. */
    final TreeMap<Long, long[]> skipped = new TreeMap<>();
    long[] sizesOfInterest = new long[0];
    final Map<Long, byte[]> chainAt = new HashMap<>();
    final List<LoggedEvent> receipts = new ArrayList<>();
    // The last per-event MODIFIED finding, so the next event with the same problem extends it.
    int runFinding = -1;
    String runMessage;
    long runFirst;
    long runLast;
    // The last finding that addRun may extend.
    int rangeFinding = -1;
    FindingCode rangeCode;
    String rangeWhat;
    long rangeFirst;
    long rangeLast;
    long rangeCount;

    Run(PruneBase base) {
      this.base = base;
      List<byte[]> range = new ArrayList<>();
      for (Bytes b : base.compactRange()) {
        range.add(b.toByteArray());
      }
      this.tree = new MerkleTree(base.firstSeq(), range);
      this.expected = base.firstSeq();
      this.prev = base.chainBefore().toByteArray();
      this.prevComputed = prev;
      this.lastReadSeq = base.firstSeq() - 1;
    }

    /**
     * A finding that continues the previous one when it is the same kind of problem for the next
     * sequence number (or, for FORK, the same one again): a copied segment is one FORK, a moved
     * run of events one REORDERED.
     */
    void addRun(FindingCode code, long seq, String location, String what) {
      int last = findings.size() - 1;
      if (last >= 0 && last == rangeFinding && code == rangeCode && what.equals(rangeWhat)
          && (seq == rangeLast + 1 || (code == FindingCode.FORK && seq == rangeLast))) {
        rangeLast = seq;
        rangeCount++;
        Finding f = findings.get(last);
        findings.set(last, new Finding(code, rangeFirst, f.location(), what + ": events " + rangeFirst + ".." + rangeLast
            + " (" + rangeCount + " records in a row; the first at " + f.location() + ")"));
        return;
      }
      add(code, seq, location, what + ": event seq " + seq);
      rangeFinding = findings.size() - 1;
      rangeCode = code;
      rangeWhat = what;
      rangeFirst = seq;
      rangeLast = seq;
      rangeCount = 1;
    }

    void add(FindingCode code, long seq, String location, String message) {
      findings.add(new Finding(code, seq, location, message));
    }

    void record(Rec r) {
      checked++;
      StoredEvent s = r.stored;
      if (s.isDamaged()) {
        String d = s.damage();
        FindingCode code = d.startsWith("torn tail") ? FindingCode.TORN_TAIL
            : d.startsWith("foreign file") ? FindingCode.FOREIGN_DATA
            : d.startsWith("malformed prune base") ? FindingCode.MALFORMED
            : d.startsWith("quarantined bytes") ? FindingCode.QUARANTINED : FindingCode.MODIFIED;
        if (code == FindingCode.MODIFIED && !r.hole && !openDamage.isEmpty()
            && openDamage.get(openDamage.size() - 1).finding == findings.size() - 1) {
          // Unreadable records in a row (nothing readable between them): one finding.
          Damage last = openDamage.get(openDamage.size() - 1);
          last.more++;
          Finding f = findings.get(last.finding);
          findings.set(last.finding, new Finding(f.code(), f.seq(), f.location(), last.message + " (and " + last.more
              + " more unreadable record(s) right after it, up to " + r.location() + ")"));
          return;
        }
        add(code, s.seq(), r.location(), d);
        if (code == FindingCode.TORN_TAIL) {
          tornFinding = findings.size() - 1;
        }
        if (code != FindingCode.MODIFIED) {
          return;
        }
        if (!r.hole) {
          // Which events these bytes held shows once the next readable record arrives.
          openDamage.add(new Damage(findings.size() - 1, lastReadSeq, d));
          return;
        }
        taint(s.seq());
      }
      long seq = r.seq;
      for (Damage d : openDamage) {
        d.before = seq;
        if (seq > d.after + 1 && damageAt.size() < MAX_TRACKED) {
          damageAt.putIfAbsent(d.after + 1, d);
        }
      }
      openDamage.clear();
      lastReadSeq = seq;
      if (seq == expected) {
        if (!pending.isEmpty()) {
          r.inEpisode = true;
          episode.add(r);
        }
        accept(r);
        drain();
      } else if (seq > expected) {
        if (pending.isEmpty() && attribute(seq)) {
          accept(r);
          return;
        }
        Rec old = pending.putIfAbsent(seq, r);
        if (old != null) {
          addRun(FindingCode.FORK, seq, r.location(), "a second event claims the same seq (also stored at " + old.location() + ")");
          return;
        }
        if (episode.isEmpty()) {
          episodeOffset = lastAcceptedIndex - (expected - 1);
        }
        r.inEpisode = true;
        episode.add(r);
        if (pending.size() > REORDER_WINDOW) {
          gapTo(pending.firstKey());
          drain();
        }
        if (episode.size() > 4 * REORDER_WINDOW) {
          endEpisode(); // (report what is known so far; memory stays bounded)
        }
      } else {
        late(r);
      }
    }

    /** An event whose place was passed already: moved far back, or a second event for one place. */
    private void late(Rec r) {
      long seq = r.seq;
      Map.Entry<Long, long[]> gap = skipped.floorEntry(seq);
      if (gap != null && seq < gap.getValue()[0]) {
        int idx = (int) gap.getValue()[1];
        String msg = "event seq " + seq + " is stored after events that follow it (more than " + REORDER_WINDOW
            + " records later)" + filed(r);
        if (gap.getKey() == seq && gap.getValue()[0] == seq + 1 && idx >= 0
            && findings.get(idx).code() == FindingCode.SEQUENCE_GAP) {
          // The "missing" event was only moved: one finding, not a gap plus a move.
          findings.set(idx, new Finding(FindingCode.REORDERED, seq, r.location(), msg));
          gap.getValue()[1] = -1;
        } else {
          addRun(FindingCode.REORDERED, seq, r.location(), "stored after events that follow it (more than " + REORDER_WINDOW
              + " records later)" + filed(r));
        }
        return;
      }
      byte[] known = r.hole ? null : tree.leafAt(seq);
      if (known != null && MessageDigest.isEqual(known, r.leaf)) {
        addRun(FindingCode.FORK, seq, r.location(), "stored twice (a copy of events already in the log)");
      } else {
        addRun(FindingCode.FORK, seq, r.location(), "a second, different event claims the same seq");
      }
    }

    private String filed(Rec r) {
      return r.hole || r.decodeError != null || r.eventSeq == r.seq ? "" : " (the event inside says seq " + r.eventSeq + ")";
    }

    /**
     * If an unreadable frame sits exactly where the events [expected, next) belong (between the
     * records with seq expected - 1 and next), reports that it held them instead of a gap.
     */
    private boolean attribute(long next) {
      Damage d = damageAt.get(expected);
      if (d == null || d.before != next) {
        return false;
      }
      damageAt.remove(expected);
      Finding f = findings.get(d.finding);
      String held = next - expected == 1 ? "event " + expected : "events " + expected + ".." + (next - 1);
      findings.set(d.finding, new Finding(f.code(), expected, f.location(), f.message() + "; it held " + held));
      if (skipped.size() < MAX_TRACKED) {
        skipped.put(expected, new long[] {next, -1});
      }
      taint(expected);
      expected = next;
      prev = null;
      prevComputed = null;
      return true;
    }

    void drain() {
      while (!pending.isEmpty() && pending.firstKey() == expected) {
        accept(pending.pollFirstEntry().getValue());
      }
      if (pending.isEmpty() && !episode.isEmpty()) {
        endEpisode();
      }
    }

    /**
     * Reports as REORDERED the fewest records whose moving explains the stored order of the
     * episode: all but a longest increasing run of sequence numbers (in stored order).
     */
    private void endEpisode() {
      int k = episode.size();
      int[] tails = new int[k];
      int[] prevIdx = new int[k];
      int len = 0;
      for (int i = 0; i < k; i++) {
        long v = episode.get(i).seq;
        int lo = 0;
        int hi = len;
        while (lo < hi) {
          int mid = (lo + hi) >>> 1;
          if (episode.get(tails[mid]).seq < v) {
            lo = mid + 1;
          } else {
            hi = mid;
          }
        }
        prevIdx[i] = lo > 0 ? tails[lo - 1] : -1;
        tails[lo] = i;
        if (lo == len) {
          len++;
        }
      }
      boolean[] keep = new boolean[k];
      // Among equally short explanations prefer the one that leaves most records where they
      // were: records with the same offset between stored position and sequence number always
      // ascend, and in a swap they are everything but the two swapped events.
      Map<Long, Integer> offsets = new HashMap<>();
      for (Rec r : episode) {
        offsets.merge(r.index - r.seq, 1, Integer::sum);
      }
      long modal = episodeOffset;
      int modalCount = offsets.getOrDefault(episodeOffset, 0);
      for (Map.Entry<Long, Integer> e : offsets.entrySet()) {
        if (e.getValue() > modalCount) {
          modalCount = e.getValue();
          modal = e.getKey();
        }
      }
      if (modalCount == len) {
        for (int i = 0; i < k; i++) {
          keep[i] = episode.get(i).index - episode.get(i).seq == modal;
        }
      } else {
        for (int i = len > 0 ? tails[len - 1] : -1; i >= 0; i = prevIdx[i]) {
          keep[i] = true;
        }
      }
      for (int i = 0; i < k; i++) {
        if (!keep[i]) {
          Rec r = episode.get(i);
          addRun(FindingCode.REORDERED, r.seq, r.location(), "stored out of sequence order (moved or swapped)" + filed(r));
        }
      }
      episode.clear();
    }

    void gapTo(long next) {
      if (attribute(next)) {
        return;
      }
      FindingCode code = acceptedAny ? FindingCode.SEQUENCE_GAP : FindingCode.HEAD_PRUNED_WITHOUT_RECEIPT;
      add(code, expected, "seq " + expected + ".." + (next - 1),
          (next - expected) + " event(s) missing" + (acceptedAny ? "" : " at the head of the log, with no prune receipt"));
      if (skipped.size() < MAX_TRACKED) {
        skipped.put(expected, new long[] {next, findings.size() - 1});
      }
      expected = next;
      prev = null;
      prevComputed = null;
    }

    private void taint(long seq) {
      taintedAt = Math.min(taintedAt, seq);
    }

    void accept(Rec r) {
      StoredEvent s = r.stored;
      long seq = r.seq;
      if (r.hole) {
        expected = seq + 1;
        prev = null;
        prevComputed = null;
        lastAcceptedIndex = r.index;
        return;
      }
      List<String> problems = null;
      boolean misfiled = r.eventSeq != seq;
      if (r.decodeError != null) {
        problems = problem(null, "event bytes do not decode: " + r.decodeError);
      } else if (misfiled) {
        problems = problem(null, "record is filed as seq " + seq + " but the event says seq " + r.eventSeq);
      }
      byte[] stored = s.chainHash().unsafeArray();
      byte[] computed = null;
      if (prev != null) {
        boolean ok;
        if (r.linkedChain != null && r.index - 1 == lastAcceptedIndex) {
          computed = r.linkedChain;
          ok = r.linkOk;
        } else {
          computed = hasher.chain(r.eventSeq, prev, r.leaf);
          ok = MessageDigest.isEqual(computed, stored);
        }
        if (!ok && prevComputed != null && !MessageDigest.isEqual(prevComputed, prev)) {
          // The event before had a wrong stored chain hash (already reported): link to the right one.
          ok = MessageDigest.isEqual(hasher.chain(r.eventSeq, prevComputed, r.leaf), stored);
        }
        if (!ok) {
          problems = problem(problems, "chain hash does not match: this event or the one before it was changed");
        }
      }
      switch (r.mac) {
        case MAC_BAD:
          problems = problem(problems, "MAC does not verify: event forged or edited without the chain key");
          break;
        case MAC_MISSING:
          problems = problem(problems, "event has no MAC but the log is keyed");
          break;
        case MAC_UNCHECKED:
          macsSeen = true;
          break;
        default:
          break;
      }
      if (problems != null) {
        modified(seq, r.location(), String.join("; ", problems));
      }
      if (misfiled) {
        // Its chain hash belongs to another place (rows exchanged): the next link cannot be checked.
        prev = null;
        prevComputed = null;
      } else {
        prev = stored;
        prevComputed = computed;
      }
      lastAcceptedIndex = r.index;
      if (tree.size() == seq) {
        tree.append(r.leaf);
      }
      if (problems == null && Arrays.binarySearch(sizesOfInterest, seq + 1) >= 0) {
        // (The chain hash of an event already reported would only repeat that finding.)
        chainAt.put(seq + 1, stored);
      }
      if (Action.AUDIT_LOG_RECOVERED.name().equals(r.action) || Action.AUDIT_LOG_PRUNED.name().equals(r.action)) {
        special(r);
      }
      acceptedAny = true;
      expected = seq + 1;
    }

    private List<String> problem(List<String> list, String p) {
      List<String> l = list == null ? new ArrayList<>(2) : list;
      l.add(p);
      return l;
    }

    /** A per-event MODIFIED finding; consecutive events with the same problem share one. */
    private void modified(long seq, String location, String message) {
      taint(seq);
      if (runFinding == findings.size() - 1 && runFinding >= 0 && message.equals(runMessage) && seq == runLast + 1) {
        runLast = seq;
        Finding f = findings.get(runFinding);
        findings.set(runFinding, new Finding(FindingCode.MODIFIED, runFirst, f.location(),
            message + " (events " + runFirst + ".." + runLast + ", " + (runLast - runFirst + 1) + " in a row)"));
        return;
      }
      add(FindingCode.MODIFIED, seq, location, message);
      runFinding = findings.size() - 1;
      runMessage = message;
      runFirst = seq;
      runLast = seq;
    }

    /** The log's own events about itself: recoveries and prune receipts. */
    private void special(Rec r) {
      LoggedEvent e;
      try {
        e = CanonicalEncoding.decode(r.stored.payload());
      } catch (AuditFormatException ex) {
        return; // check() accepted these bytes, so decode does too
      }
      Action a = e.event().action();
      if (a.equals(Action.AUDIT_LOG_RECOVERED) && e.event().details().containsKey("accepted_to")) {
        Map<String, String> d = e.event().details();
        add(FindingCode.HISTORY_ACCEPTED, r.seq, r.location(), "operator " + e.event().actor().id() + " accepted events "
            + d.get("accepted_from") + ".." + d.get("accepted_to") + " that no signed checkpoint covered (last signed size "
            + d.get("last_signed_size") + "): " + e.event().reason());
      } else if (a.equals(Action.AUDIT_LOG_RECOVERED)) {
        add(FindingCode.TORN_TAIL_RECOVERED, r.seq, r.location(), "writer recovered a crash: " + e.event().details().get("recovery"));
      } else if (a.equals(Action.AUDIT_LOG_PRUNED)) {
        receipts.add(e);
      }
    }

    /** At the end: events still waiting for a predecessor are after a gap. */
    void finish() {
      while (!pending.isEmpty()) {
        gapTo(pending.firstKey());
        drain();
      }
      if (!episode.isEmpty()) {
        endEpisode();
      }
    }
  }

  /**
   * Verifies the log in {@code store}. Always returns a report: damage of any kind is a finding,
   * and a store that cannot be read at all (or content no check anticipated) gives a report with
   * a {@link FindingCode#MALFORMED} finding that says why verification stopped, never an
   * exception (such a report is never intact).
   */
  public VerificationReport verify(AuditStore store) {
    try {
      return verifyOrThrow(store);
    } catch (RuntimeException e) {
      Finding f = new Finding(FindingCode.MALFORMED, -1, String.valueOf(store),
          "verification could not finish: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return new VerificationReport(origin, 0, 0, 0, 0, List.of(f),
          List.of("everything after the failure above: the log could not be read to the end"));
    }
  }

  private VerificationReport verifyOrThrow(AuditStore store) {
    PruneBase base = store.head().base();
    Run run = new Run(base);
    Workers workers = new Workers();
    try {
      // Checkpoint signatures (Ed25519 verification is slow) are checked while the events are scanned.
      List<String> notes = store.checkpoints();
      List<Future<Object>> checks = new ArrayList<>();
      for (int i = 0; i < notes.size(); i++) {
        String note = notes.get(i);
        String where = "checkpoint #" + i;
        boolean last = i == notes.size() - 1;
        checks.add(workers.submit(notes.size() > 4, () -> checkedCheckpoint(note, where, last)));
      }
      List<Future<Object>> anchorChecks = new ArrayList<>();
      for (CheckpointAnchor a : anchors) {
        Optional<String> note;
        try {
          note = a.latest(origin);
        } catch (RuntimeException e) {
          anchorChecks.add(CompletableFuture.completedFuture(
              new Finding(FindingCode.MALFORMED_CHECKPOINT, -1, anchorName(a), "anchor could not be read: " + e.getMessage())));
          continue;
        }
        if (note.isPresent()) {
          String text = note.get();
          anchorChecks.add(workers.submit(false, () -> checkedCheckpoint(text, anchorName(a), false)));
        }
      }
      // Every parsable checkpoint's size: the scan remembers the chain head there.
      List<Long> sizes = new ArrayList<>();
      for (String note : notes) {
        sizeOf(note, sizes);
      }
      for (Future<Object> f : anchorChecks) {
        Object o = workers.join(f);
        if (o instanceof SignedCheckpoint) {
          sizes.add(((SignedCheckpoint) o).checkpoint().size());
        }
      }
      run.sizesOfInterest = sizes.stream().mapToLong(Long::longValue).sorted().distinct().toArray();

      scan(store, base, run, workers);
      run.finish();

      List<SignedCheckpoint> valid = collect(run, checks, workers);
      List<SignedCheckpoint> anchored = collect(run, anchorChecks, workers);
      long size = run.expected;

      checkPrune(run, base, valid);
      long lastValid = checkAgainstLog(run, valid, size);
      checkConsistency(run, valid);
      checkAnchors(run, anchored, valid, size);

      // A signed checkpoint protects against truncation below its size even where its content differs.
      long covered = Math.min(size, valid.stream().mapToLong(c -> c.checkpoint().size()).max().orElse(0));
      boolean fileMissing = store instanceof StoreCapabilities c && c.checkpointsLost();
      long unsealed = size - Math.max(covered, base.firstSeq());
      if (!keys.isEmpty() && size > base.firstSeq() && (fileMissing || valid.isEmpty() || unsealed > unsealedBound)) {
        String why = fileMissing ? "the checkpoint file is gone"
            : valid.isEmpty() ? "no checkpoint signed by a trusted key is stored"
            : unsealed + " events follow the newest signed checkpoint (size " + covered + "), more than the writer leaves"
                + " unsigned at the expected cadence (" + unsealedBound + ")";
        run.add(FindingCode.CHECKPOINTS_MISSING, Math.max(covered, base.firstSeq()),
            "seq " + Math.max(covered, base.firstSeq()) + ".." + (size - 1), "the log holds " + size + " events but " + why
                + ": checkpoints were deleted, and these events are unprotected (they may have been rewritten)");
      } else if (covered < size && !keys.isEmpty()) {
        run.add(FindingCode.UNSEALED_TAIL, covered, "seq " + covered + ".." + (size - 1),
            (size - covered) + " event(s) after the last signed checkpoint are not yet protected against truncation");
      }
      if (keys.isEmpty()) {
        run.notChecked.add("checkpoint signatures: no trusted public key given, so checkpoints and prune receipts are unauthenticated");
      } else if (valid.isEmpty()) {
        run.notChecked.add("no valid signed checkpoint: forged events with a recomputed chain cannot be excluded");
      }
      if (chainKey == null && run.macsSeen) {
        run.notChecked.add("HMAC chain tags are present but no chain key was given");
      }
      if (chainKey == null && keys.isEmpty()) {
        run.notChecked.add("authenticity: a plain SHA-256 chain can be recomputed by anyone with write access (give a chain key or a public key)");
      }
      if (anchors.isEmpty()) {
        run.notChecked.add("truncation and rollback: no anchored checkpoint given; newest events could have been dropped or an older copy restored");
      } else if (anchored.isEmpty()) {
        run.notChecked.add("truncation and rollback: the anchors hold no checkpoint for " + origin);
      }
      if (run.tree.size() < size) {
        run.notChecked.add("Merkle roots of sizes above " + run.tree.size()
            + " (the tree cannot be rebuilt across missing or unreadable events; chain heads are still checked)");
      }
      List<Finding> all = new ArrayList<>(run.early);
      all.addAll(run.findings.materialize());
      return new VerificationReport(origin, base.firstSeq(), size, run.checked, lastValid, all, run.notChecked);
    } finally {
      workers.shutdown();
    }
  }

  /** Reads the store in stored order, hands runs of records to the workers, sequences the results in order. */
  private void scan(AuditStore store, PruneBase base, Run run, Workers workers) {
    Optional<StoreCapabilities.FrameScan> frames = store instanceof StoreCapabilities c
        ? c.frameScan(base.firstSeq()) : Optional.empty();
    if (frames.isPresent()) {
      scanFrames(frames.get(), base.firstSeq(), run, workers);
      return;
    }
    Pipeline pipeline = new Pipeline(workers);
    Chunk[] cur = {new Chunk(base.chainBefore().toByteArray())};
    try (Stream<StoredEvent> s = store.read(base.firstSeq())) {
      s.forEach(e -> {
        Chunk c = cur[0];
        c.recs[c.n++] = new Rec(e);
        if (c.n == CHUNK) {
          pipeline.add(c);
          cur[0] = new Chunk(c.lastChain());
          while (!pipeline.wantsMore()) {
            sequence(run, pipeline.take());
          }
        }
      });
    }
    if (cur[0].n > 0) {
      pipeline.add(cur[0]);
    }
    while (!pipeline.isEmpty()) {
      sequence(run, pipeline.take());
    }
  }

  /**
   * A file store's records without its stream: the workers check frame CRCs and decode too, so
   * the calling thread only walks frame headers and sequences. Gives exactly the records, in the
   * same order, that {@code store.read(fromSeq)} gives.
   */
  private void scanFrames(StoreCapabilities.FrameScan view, long fromSeq, Run run, Workers workers) {
    FileCursor cursor = new FileCursor(view, fromSeq);
    Pipeline pipeline = new Pipeline(workers);
    while (true) {
      Chunk c = pipeline.wantsMore() ? cursor.next() : null;
      if (c != null) {
        pipeline.add(c);
        continue;
      }
      if (pipeline.isEmpty()) {
        return;
      }
      Chunk done = pipeline.take();
      sequence(run, done);
      if (done instanceof FrameChunk && ((FrameChunk) done).failedAt >= 0) {
        // A frame's CRC failed: the headers walked beyond it may not be where the frames are.
        pipeline.discardAll();
        FrameChunk fc = (FrameChunk) done;
        cursor.resume(fc.segmentIndex, fc.failedAt);
      }
    }
  }

  private static void sequence(Run run, Chunk c) {
    for (int i = 0; i < c.n; i++) {
      Rec r = c.recs[i];
      r.index = run.nextIndex++;
      run.record(r);
      c.recs[i] = null;
    }
  }

  /**
   * The verification's helper threads (one fewer than the processors; none on one processor or
   * for small logs). A task not yet started when its result is needed runs on the caller, so the
   * scanning thread never waits idle.
   */
  private static final class Workers {
    private final int threads = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);
    private ExecutorService pool;

    int window() {
      return 2 * threads + 2;
    }

    <T> Future<T> submit(boolean parallel, java.util.concurrent.Callable<T> task) {
      FutureTask<T> f = new FutureTask<>(task);
      start(parallel, f);
      return f;
    }

    <T> Future<T> submit(boolean parallel, Runnable task, T result) {
      FutureTask<T> f = new FutureTask<>(task, result);
      start(parallel, f);
      return f;
    }

    /** Runs {@code task} on a helper thread, if there are any (callers run it otherwise). */
    void execute(Runnable task) {
      start(true, task);
    }

    private void start(boolean parallel, Runnable f) {
      if (parallel && threads > 0) {
        if (pool == null) {
          pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "bulwark-audit-verifier");
            t.setDaemon(true);
            return t;
          });
        }
        pool.execute(f);
      }
    }

    <T> T join(Future<T> f) {
      if (f instanceof FutureTask && !f.isDone()) {
        ((FutureTask<T>) f).run(); // not started yet (or never handed to the pool): run it here
      }
      boolean interrupted = false;
      try {
        while (true) {
          try {
            return f.get();
          } catch (InterruptedException e) {
            interrupted = true;
          } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) {
              throw (RuntimeException) c;
            }
            if (c instanceof Error) {
              throw (Error) c;
            }
            throw new AuditException("verification failed: " + c, c);
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    void shutdown() {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  private static void sizeOf(String note, List<Long> sizes) {
    try {
      sizes.add(SignedCheckpoint.parse(note).checkpoint().size());
    } catch (AuditFormatException e) {
      // reported with the signature checks
    }
  }

  private List<SignedCheckpoint> collect(Run run, List<Future<Object>> checks, Workers workers) {
    List<SignedCheckpoint> out = new ArrayList<>();
    for (Future<Object> f : checks) {
      Object o = workers.join(f);
      if (o instanceof Finding) {
        run.early.add((Finding) o);
      } else {
        out.add((SignedCheckpoint) o);
      }
    }
    return out;
  }

  private static String anchorName(CheckpointAnchor a) {
    return "anchor " + a;
  }

  /** The checkpoint if it parses, is for this log and (with keys) is signed by one; else its finding. */
  private Object checkedCheckpoint(String note, String where, boolean lastInStore) {
    SignedCheckpoint cp;
    try {
      cp = SignedCheckpoint.parse(note);
    } catch (AuditFormatException e) {
      return new Finding(FindingCode.MALFORMED_CHECKPOINT, -1, where, e.getMessage() + (lastInStore ? " (possibly a torn write)" : ""));
    }
    if (!cp.checkpoint().origin().equals(origin)) {
      return new Finding(FindingCode.INCONSISTENT_CHECKPOINTS, -1, where, "checkpoint is for another log: " + cp.checkpoint().origin());
    }
    if (!cp.checkpoint().isBulwark()) {
      return new Finding(FindingCode.MALFORMED_CHECKPOINT, -1, where, "checkpoint lacks the chain, minindex and time lines"
          + " every checkpoint of this log carries");
    }
    if (!keys.isEmpty() && cp.verifiedBy(keys).isEmpty()) {
      return new Finding(FindingCode.BAD_CHECKPOINT_SIGNATURE, -1, where, "no signature by a trusted key verifies (size " + cp.checkpoint().size() + ")");
    }
    return cp;
  }

  private void checkPrune(Run run, PruneBase base, List<SignedCheckpoint> valid) {
    if (base.firstSeq() == 0) {
      return;
    }
    long cut = base.firstSeq();
    byte[] rangeRoot = new MerkleTree(cut, toArrays(base.compactRange())).rootAt(cut);
    for (LoggedEvent r : run.receipts) {
      Map<String, String> d = r.event().details();
      if (!Long.toString(cut).equals(d.get("cut_seq"))) {
        continue;
      }
      boolean chainOk = base.chainBefore().base64().equals(d.get("chain_at_cut"));
      boolean rootOk = Bytes.wrap(rangeRoot).base64().equals(d.get("root_at_cut"));
      if (!chainOk || !rootOk) {
        run.add(FindingCode.HEAD_PRUNED_WITHOUT_RECEIPT, cut, "prune base",
            "the stored prune base does not match the receipt at seq " + r.seq());
        return;
      }
      boolean signed = keys.isEmpty() || valid.stream().anyMatch(c -> c.checkpoint().size() > r.seq() && c.checkpoint().minIndex() >= cut);
      if (!signed) {
        run.add(FindingCode.HEAD_PRUNED_WITHOUT_RECEIPT, cut, "prune receipt seq " + r.seq(),
            "the prune receipt is not covered by a signed checkpoint with minindex " + cut);
        return;
      }
      run.add(FindingCode.PRUNED_WITH_RECEIPT, r.seq(), "seq " + d.get("from_seq") + ".." + (cut - 1),
          d.get("count") + " event(s) removed by retention policy " + d.get("policy") + " (receipt seq " + r.seq() + ")");
      return;
    }
    run.add(FindingCode.HEAD_PRUNED_WITHOUT_RECEIPT, cut, "seq 0.." + (cut - 1),
        "the log starts at seq " + cut + " but holds no matching prune receipt");
  }

  /**
   * Compares each signed checkpoint with the log: the Merkle root (where the tree could be
   * rebuilt) and the chain head. A difference is reported once where it first shows; later
   * checkpoints that only carry the same difference forward extend that finding.
   */
  private long checkAgainstLog(Run run, List<SignedCheckpoint> valid, long size) {
    long lastValid = 0;
    List<SignedCheckpoint> bySize = new ArrayList<>(valid);
    bySize.sort(java.util.Comparator.comparingLong(c -> c.checkpoint().size()));
    long rootBadAt = -1;
    boolean rootsSkipped = false;
    int chainRun = -1;
    long chainRunFirst = -1;
    int chainRunCount = 0;
    String chainRunMessage = null;
    int truncated = -1;
    int truncatedCount = 0;
    for (SignedCheckpoint sc : bySize) {
      Checkpoint c = sc.checkpoint();
      long cs = c.size();
      String where = "checkpoint size " + cs;
      if (cs > size) {
        if (truncated >= 0) {
          // One truncation, however many checkpoints lie beyond the end.
          truncatedCount++;
          run.findings.set(truncated, new Finding(FindingCode.TRUNCATED, size, where, "the store holds " + size
              + " events but its own checkpoints cover up to " + cs + " (" + truncatedCount + " checkpoints beyond the end)"));
        } else if (!absorbTruncation(run, cs, size)) {
          run.add(FindingCode.TRUNCATED, size, where, "the store holds " + size + " events but its own checkpoint covers " + cs);
          truncated = run.findings.size() - 1;
          truncatedCount = 1;
        }
        continue;
      }
      if (cs < run.base.firstSeq() || cs == 0) {
        continue;
      }
      boolean rootOk = true;
      boolean rootChecked = false;
      if (cs <= run.tree.size()) {
        if (cs > run.taintedAt || rootBadAt >= 0) {
          rootsSkipped = true; // it covers an event already reported: it can only differ too
        } else {
          rootChecked = true;
          rootOk = MessageDigest.isEqual(run.tree.rootAt(cs), c.root().toByteArray());
        }
      }
      byte[] chain = run.chainAt.get(cs);
      boolean chainOk = chain == null || MessageDigest.isEqual(chain, c.chainHead().toByteArray());
      if (rootOk && chainOk) {
        chainRun = -1;
        if (rootChecked || chain != null) {
          lastValid = Math.max(lastValid, cs);
        }
        continue;
      }
      if (!rootOk) {
        rootBadAt = cs;
      }
      if (!chainOk && chainRun >= 0) {
        chainRunCount++;
        run.findings.set(chainRun, new Finding(FindingCode.MODIFIED, chainRunFirst - 1, "checkpoint size " + chainRunFirst,
            chainRunMessage + " (and " + chainRunCount + " later checkpoint(s) up to size " + cs + " carry the same difference)"));
        continue;
      }
      String message = !rootOk && !chainOk
          ? "Merkle root and chain head of events [0, " + cs + ") differ from the signed checkpoint: events were changed or replaced"
          : !rootOk ? "Merkle root of events [0, " + cs + ") differs from the signed checkpoint: events were changed or replaced"
          : "chain head differs from the signed checkpoint: events up to seq " + (cs - 1) + " were changed or replaced";
      run.add(FindingCode.MODIFIED, cs - 1, where, message);
      if (!chainOk) {
        chainRun = run.findings.size() - 1;
        chainRunFirst = cs;
        chainRunCount = 0;
        chainRunMessage = message;
      } else {
        chainRun = -1;
      }
    }
    if (rootsSkipped) {
      long from = rootBadAt >= 0 && rootBadAt <= run.taintedAt ? rootBadAt : run.taintedAt;
      run.notChecked.add("Merkle roots of checkpoints above seq " + from
          + " (they cover events already reported modified, so they cannot show anything more)");
    }
    return lastValid;
  }

  /**
   * Unreadable bytes at the end of the log stand where the events a checkpoint covers should be:
   * the damage finding already says so, rather than a second finding for the same bytes.
   */
  private static boolean absorbTruncation(Run run, long checkpointSize, long size) {
    if (!run.openDamage.isEmpty()) {
      int idx = run.openDamage.get(0).finding;
      Finding f = run.findings.get(idx);
      String note = "; a checkpoint covers events up to seq " + (checkpointSize - 1) + ", so it held events from seq " + size;
      if (!f.message().contains(note)) {
        run.findings.set(idx, new Finding(f.code(), size, f.location(), f.message() + note));
      }
      return true;
    }
    if (run.tornFinding >= 0) {
      // Not a crash after all: a signed checkpoint covered the events in those bytes.
      Finding f = run.findings.get(run.tornFinding);
      if (f.code() == FindingCode.TORN_TAIL) {
        run.findings.set(run.tornFinding, new Finding(FindingCode.TRUNCATED, size, f.location(),
            "the store holds " + size + " events but a checkpoint covers " + checkpointSize
                + "; the bytes at the end hold no complete frame (" + f.message() + "), yet they held acknowledged events"));
      }
      return true;
    }
    return false;
  }

  private void checkConsistency(Run run, List<SignedCheckpoint> valid) {
    Map<Long, Bytes> rootBySize = new HashMap<>();
    long maxMin = 0;
    long maxMinSize = 0;
    for (SignedCheckpoint sc : valid) {
      Checkpoint c = sc.checkpoint();
      Bytes prior = rootBySize.putIfAbsent(c.size(), c.root());
      if (prior != null && !prior.equals(c.root())) {
        run.add(FindingCode.INCONSISTENT_CHECKPOINTS, c.size(), "checkpoint size " + c.size(),
            "two signed checkpoints of size " + c.size() + " have different roots (split view)");
      }
      if (c.size() >= maxMinSize && c.minIndex() < maxMin) {
        run.add(FindingCode.INCONSISTENT_CHECKPOINTS, c.size(), "checkpoint size " + c.size(),
            "minindex went back from " + maxMin + " to " + c.minIndex());
      }
      if (c.minIndex() > maxMin) {
        maxMin = c.minIndex();
        maxMinSize = c.size();
      }
    }
  }

  private void checkAnchors(Run run, List<SignedCheckpoint> anchored, List<SignedCheckpoint> valid, long size) {
    for (SignedCheckpoint sc : anchored) {
      Checkpoint a = sc.checkpoint();
      String where = "anchored checkpoint size " + a.size();
      if (a.size() > size) {
        boolean storeKnowsIt = valid.stream().anyMatch(c -> c.checkpoint().size() >= a.size());
        int truncated = -1;
        for (int i = 0; i < run.findings.size() && storeKnowsIt; i++) {
          if (run.findings.get(i).code() == FindingCode.TRUNCATED) {
            truncated = i;
            break;
          }
        }
        if (truncated >= 0) {
          // The same truncation the store's own checkpoints show: one finding, which says the anchor agrees.
          Finding f = run.findings.get(truncated);
          String note = "; an anchor holds a checkpoint of size " + a.size() + " too";
          if (!f.message().contains(note)) {
            run.findings.set(truncated, new Finding(f.code(), f.seq(), f.location(), f.message() + note));
          }
        } else if (storeKnowsIt) {
          if (!absorbTruncation(run, a.size(), size)) {
            run.add(FindingCode.TRUNCATED, size, where, "the store holds " + size + " events; " + a.size()
                + " were anchored (newest events deleted)");
          }
        } else {
          run.add(FindingCode.ROLLBACK, size, where, "the store holds " + size + " events and no checkpoint beyond; "
              + a.size() + " were anchored (an older copy was restored)");
        }
        continue;
      }
      if (a.size() >= run.base.firstSeq() && a.size() > 0 && a.size() <= run.taintedAt) {
        boolean diverges;
        if (a.size() <= run.tree.size()) {
          diverges = !MessageDigest.isEqual(run.tree.rootAt(a.size()), a.root().toByteArray());
        } else {
          byte[] chain = run.chainAt.get(a.size());
          diverges = chain != null && !MessageDigest.isEqual(chain, a.chainHead().toByteArray());
        }
        if (diverges) {
          run.add(FindingCode.ROLLBACK, a.size() - 1, where, "the stored history diverges from the anchored checkpoint"
              + " (rolled back and regrown, or rewritten)");
        }
      }
      if (a.minIndex() < run.base.firstSeq() && a.size() >= run.base.firstSeq()
          && run.findings.stream().noneMatch(f -> f.code() == FindingCode.PRUNED_WITH_RECEIPT)) {
        run.add(FindingCode.HEAD_PRUNED_WITHOUT_RECEIPT, run.base.firstSeq(), where,
            "the anchor says the log kept events from " + a.minIndex() + " but the store starts at " + run.base.firstSeq());
      }
    }
  }

  private static List<byte[]> toArrays(List<Bytes> list) {
    List<byte[]> out = new ArrayList<>();
    for (Bytes b : list) {
      out.add(b.toByteArray());
    }
    return out;
  }
}
