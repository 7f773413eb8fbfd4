package dev.bulwark.audit;

import dev.bulwark.audit.internal.Hashes;
import dev.bulwark.audit.internal.StoreCapabilities;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.common.internal.ByteAccess;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The scan pipeline of {@link AuditVerifier}: reads a store in stored order, cuts it into runs
 * of {@value #CHUNK} records, has worker threads ({@link VerifyWorkers}, and the scanning thread
 * whenever it would otherwise wait) compute every per-record check that needs no other record but
 * the one stored before (canonical form, leaf hash, chain link, MAC), and hands the runs, in
 * order, to the {@link Sequencer}. A store that offers mapped frames
 * ({@link StoreCapabilities#frameScan}) is scanned without its record stream: the workers check
 * the frame CRCs and decode too, and the scanning thread only walks frame headers.
 */
final class VerifyScan {

  /**
   * Records per unit of parallel work. Small enough that the records in flight (the window of
   * chunks) stay in the processors' caches between the worker that checks them and the thread that
   * sequences them, and that the sequencing thread seldom waits long on a chunk whose worker the
   * operating system has descheduled (on a busy machine); large enough that handing chunks over
   * costs little. 256 measured better than 1024 (wall time under load) and than 64 or 128.
   */
  static final int CHUNK = 256;
  static final int MAC_NONE = 0;
  static final int MAC_OK = 1;
  static final int MAC_BAD = 2;
  static final int MAC_MISSING = 3;
  static final int MAC_UNCHECKED = 4;

  private final byte[] originUtf8;
  private final ChainKey chainKey;

  VerifyScan(byte[] originUtf8, ChainKey chainKey) {
    this.originUtf8 = originUtf8;
    this.chainKey = chainKey;
  }

  /**
   * One stored record with everything about it that does not depend on other records, computed
   * by the worker threads: the event's own sequence number, whether its bytes are canonical, its
   * leaf hash, its chain link to the record stored just before it, its MAC.
   */
  static final class Rec {
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

  /**
   * What one thread needs to check records: digests (the JDK looks a provider up for each new
   * one), the chain key's precomputed HMAC states, the canonical checker's memory of names it
   * has accepted. Made once per thread that runs chunks, not per chunk, and kept in
   * {@link #tools} between chunks. Not thread-safe: a thread takes one out while it runs a chunk.
   *
   * <p>Security considerations: the taggers hold key-derived HMAC states (as an initialised
   * {@code Mac} would) for as long as the verifier, which holds the chain key itself.
   */
  final class Tools {
    final Hashes.Hasher hasher = new Hashes.Hasher(originUtf8);
    final ChainKey.Tagger tagger = chainKey == null ? null : chainKey.newTagger();
    final byte[] tag = new byte[32];
    final CanonicalEncoding.Header header = new CanonicalEncoding.Header();
    final CRC32C crc = new CRC32C();
    /** The most bytes of frames copied at once; longer runs (of very large events) are read from the mapping. */
    static final int MAX_COPY = 1 << 20;
    private byte[] frames = new byte[128 * 1024];

    /** A buffer for a run of frames of {@code n <= MAX_COPY} bytes (reused while large enough). */
    byte[] frames(int n) {
      if (frames.length < n) {
        frames = new byte[Math.min(MAX_COPY, Math.max(n, 2 * frames.length))];
      }
      return frames;
    }
  }

  /** Tools not in use; as many as threads ever ran chunks at once (the processors). */
  private final ConcurrentLinkedQueue<Tools> tools = new ConcurrentLinkedQueue<>();

  /** A run of consecutive records handed to a worker. */
  class Chunk implements Runnable {
    final Rec[] recs = new Rec[CHUNK];
    int n;
    /** Set by whichever thread runs the chunk (a worker or the scanning thread): it runs once. */
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
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
      return last.isDamaged() ? null : ByteAccess.array(last.chainHash());
    }

    @Override
    public void run() {
      Tools t = tools.poll();
      if (t == null) {
        t = new Tools();
      }
      try {
        run(t);
      } finally {
        tools.offer(t);
      }
    }

    void run(Tools t) {
      check(t);
    }

    /** The per-record checks that need no other record but the one stored before. */
    final void check(Tools t) {
      byte[] prev = before;
      for (int i = 0; i < n; i++) {
        prev = checkRecord(recs[i], prev, t);
      }
    }
  }

  /**
   * The checks of one record that need no other record but {@code prev}, the stored chain hash
   * of the record stored just before it (null if unknown); returns this record's stored chain
   * hash (null if damaged), the {@code prev} of the next record.
   */
  static byte[] checkRecord(Rec r, byte[] prev, Tools t) {
    StoredEvent s = r.stored;
    if (s.isDamaged()) {
      r.hole = s.seq() >= 0;
      r.seq = s.seq();
      return null;
    }
    Hashes.Hasher hasher = t.hasher;
    byte[] payload = ByteAccess.array(s.payload());
    r.seq = s.seq();
    r.eventSeq = s.seq();
    try {
      CanonicalEncoding.check(payload, t.header);
      r.eventSeq = t.header.seq;
      r.action = t.header.action;
    } catch (AuditFormatException e) {
      r.decodeError = e.getMessage();
    }
    r.leaf = hasher.leaf(payload, 0, payload.length);
    byte[] stored = ByteAccess.array(s.chainHash());
    if (prev != null) {
      r.linkedChain = new byte[Hashes.SIZE];
      hasher.chain(r.eventSeq, prev, 0, r.leaf, 0, r.linkedChain, 0);
      r.linkOk = Hashes.equal(r.linkedChain, stored);
    }
    byte[] mac = ByteAccess.array(s.mac());
    ChainKey.Tagger m = t.tagger;
    if (m == null) {
      r.mac = mac.length == 0 ? MAC_NONE : MAC_UNCHECKED;
    } else if (mac.length == 0) {
      r.mac = MAC_MISSING;
    } else {
      m.tag(stored, 0, t.tag, 0);
      r.mac = Hashes.equal(t.tag, mac) ? MAC_OK : MAC_BAD;
    }
    return stored;
  }

  /**
   * A run of frames of one segment file whose headers (magic and length) the scanning thread
   * walked: the worker also checks their CRCs and decodes them, as the store's reader would.
   * At the first frame whose CRC fails it stops ({@link #failedAt}); the scan then discards
   * whatever it walked beyond and reads the rest of the segment with the store's own reader,
   * which resynchronises after damage.
   */
  final class FrameChunk extends Chunk {
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

    /**
     * Copies the walked frames out of the mapping in one read and checks and decodes them from
     * that copy (many small reads of a mapped buffer cost more than one large one). A frame the
     * copy does not show valid (damage, or a file changed since the walk) is judged from the
     * file itself, exactly as before.
     */
    @Override
    void run(Tools t) {
      ByteBuffer buf = segment.buf();
      ByteBuffer view = null;
      CRC32C crc = t.crc;
      int start = positions[0];
      int lastLen = count == 0 ? 0 : buf.getInt(positions[count - 1] + 4);
      long end = count == 0 || lastLen < 0 || lastLen > AuditFrame.MAX_BODY_BYTES ? start
          : Math.min(segment.limit(), (long) positions[count - 1] + AuditFrame.HEADER_BYTES + lastLen);
      byte[] copy = null;
      if (end - start <= Tools.MAX_COPY) {
        copy = t.frames((int) (end - start));
        buf.get(start, copy, 0, (int) (end - start));
      }
      byte[] prev = before;
      for (int i = 0; i < count; i++) {
        int pos = positions[i];
        int len = copy == null ? -1 : AuditFrame.validFrameAt(copy, pos - start, (int) (end - start), AuditFrame.MAGIC_EVENT, crc);
        StoredEvent e;
        if (len >= 0) {
          e = AuditFrame.decodeEventBody(copy, pos - start + AuditFrame.HEADER_BYTES, len - AuditFrame.HEADER_BYTES,
              segment.name());
        } else {
          if (view == null) {
            view = buf.duplicate();
          }
          len = AuditFrame.validFrameAt(buf, pos, segment.limit(), AuditFrame.MAGIC_EVENT, crc, view);
          if (len < 0) {
            failedAt = pos;
            break;
          }
          e = AuditFrame.decodeEventBody(buf, pos + AuditFrame.HEADER_BYTES, len - AuditFrame.HEADER_BYTES,
              segment.name());
        }
        if (e.isDamaged() || e.seq() >= fromSeq) {
          Rec r = new Rec(e);
          r.offset = pos;
          recs[n++] = r;
          // Checked right away, while its bytes are in this processor's cache.
          prev = checkRecord(r, prev, t);
        }
      }
    }
  }

  /**
   * Cuts what a file store's reader would give into chunks, in stored order: the foreign-file
   * records, then per segment runs of frames found by walking their headers, and, from any
   * place where that walk or a frame's CRC fails, the store's own reader.
   */
  final class FileCursor {
    private final List<StoredEvent> foreign;
    private final List<StoreCapabilities.MappedSegment> segments;
    private final long fromSeq;
    private int foreignAt;
    private int seg;
    private int pos;
    /** How far the walk of the current segment read ahead ({@link AuditFrame#touchAhead}). */
    private int touched;
    private Iterator<StoredEvent> reader;

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
        ByteBuffer buf = v.buf();
        int limit = v.limit();
        while (c.count < CHUNK && limit - pos >= AuditFrame.HEADER_BYTES && buf.getInt(pos) == AuditFrame.MAGIC_EVENT) {
          int len = buf.getInt(pos + 4);
          if (len < 0 || len > AuditFrame.MAX_BODY_BYTES || len > limit - pos - AuditFrame.HEADER_BYTES) {
            break;
          }
          c.positions[c.count++] = pos;
          pos += AuditFrame.HEADER_BYTES + len;
          if (pos > touched - AuditFrame.TOUCH_SPAN / 2 && touched < limit) {
            touched = AuditFrame.touchAhead(buf, Math.max(pos, touched), limit);
          }
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
      touched = 0;
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
  static final class Pipeline {
    private final VerifyWorkers workers;
    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();

    Pipeline(VerifyWorkers workers) {
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

  /** Reads the store in stored order, hands runs of records to the workers, sequences the results in order. */
  void scan(AuditStore store, PruneBase base, Sequencer run, VerifyWorkers workers) {
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
  private void scanFrames(StoreCapabilities.FrameScan view, long fromSeq, Sequencer run, VerifyWorkers workers) {
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


  private static void sequence(Sequencer run, Chunk c) {
    for (int i = 0; i < c.n; i++) {
      Rec r = c.recs[i];
      r.index = run.nextIndex++;
      run.record(r);
      c.recs[i] = null;
    }
  }
}
