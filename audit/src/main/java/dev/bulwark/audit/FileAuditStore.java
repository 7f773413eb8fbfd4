package dev.bulwark.audit;

import dev.bulwark.audit.internal.StoreCapabilities;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.Segment;
import dev.bulwark.audit.spi.SegmentedAuditStore;
import dev.bulwark.audit.spi.SequenceConflictException;
import dev.bulwark.audit.spi.StoreHead;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.common.Bytes;
import dev.bulwark.common.internal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.zip.CRC32C;

/**
 * A segmented, append-only file store. One directory per log:
 *
 * <pre>
 * seg-00000000000000000000.log   frames of events 0.. ({@link AuditFrame}); the last file is open
 * seg-00000000000001000000.log   next segment, created at seal (temp file, rename, directory fsync)
 * seg-....hold                   legal-hold marker for a segment
 * checkpoints.log                checkpoint frames
 * base                           prune base after retention (temp file, rename, directory fsync)
 * LOCK                           held by the writing process (one writer per directory)
 * </pre>
 *
 * <p><b>Durability.</b> {@link #append} writes the whole batch with one write and one
 * {@code fsync} ({@code FileChannel.force}) and returns only then: the writer's group commit turns
 * many concurrent appends into one fsync. A failed write (full disk) is cut back to the last
 * durable frame, so the log stays valid; if even that fails the store refuses further appends.
 *
 * <p><b>Crash recovery.</b> On {@link #open}, a trailing region of the open segment that holds no
 * complete, CRC-valid frame is a torn tail from a crash: it is truncated and reported through
 * {@link #recoveries()}, which the writer logs as an {@code audit_log_recovered} event. Damage
 * anywhere else (a bad CRC followed by valid frames, a broken chain) is never repaired: reads
 * report it and the writer refuses to append. {@link #openReadOnly} never changes anything.
 *
 * <p>Thread-safe. Segment files stay below 2 GiB, the most one mapping reads: before a batch
 * would take the open segment past 1 GiB, the store seals it and starts a new one (events of a
 * few hundred bytes reach that only after millions; the log's own cadence usually seals first).
 * A larger segment file is not this store's: readers report it as unreadable, never fail.
 *
 * <p>Size: longer than Bulwark's usual 600 lines because one on-disk format is kept in one place:
 * the crash-recovery rules (torn tails, quarantine, the prune base) must agree with the reader
 * and with the writer byte for byte, and splitting them would let them drift.
 *
 * <p>It also implements the internal store-capability interface the writer and the verifier ask
 * for (lost checkpoints, mapped frames); that interface is deliberately not exported, so those
 * methods are not API, hence the suppressed {@code exports} lint.
 */
@SuppressWarnings("exports")
public final class FileAuditStore implements SegmentedAuditStore, StoreCapabilities {

  private static final Pattern SEGMENT = Pattern.compile("seg-(\\d{20})\\.log");
  private static final Pattern HOLD = Pattern.compile("seg-(\\d{20})\\.hold");
  private static final String CHECKPOINTS = "checkpoints.log";
  private static final String BASE = "base";
  /** A prune base is a few lines and at most 64 subtree hashes: far below this. */
  private static final int MAX_BASE_BYTES = 64 * 1024;
  private static final String LOCK = "LOCK";
  private static final String QUARANTINE_PREFIX = "quarantine-";
  private static final String QUARANTINE_SUFFIX = ".torn";

  private final Path dir;
  private final boolean readOnly;
  private final UnaryOperator<FileChannel> channelWrapper;
  /** The open segment is sealed before a batch would take it past this many bytes. */
  private long maxSegmentBytes = MAX_SEGMENT_BYTES;
  private final List<String> recoveries = new ArrayList<>();
  private FileChannel lockChannel;
  private FileLock lock;
  private FileChannel active;
  private long activeFirstSeq;
  private long activeSize;
  /**
   * Guards the checkpoint file, so a checkpoint's fsync (the log signs and stores them on its
   * own thread) does not hold up event appends, which use this store's monitor.
   */
  private final Object checkpointLock = new Object();
  private FileChannel checkpointChannel;
  private long checkpointSize;
  private PruneBase base = PruneBase.GENESIS;
  /** Whether {@code checkpoints.log} was absent when the store was opened under a non-empty log (until one is stored). */
  private volatile boolean checkpointFileMissing;
  /** Why the prune base file could not be read (read-only stores report it instead of failing). */
  private String baseDamage;
  private long nextSeq;
  private Bytes lastChain;
  private volatile boolean broken;
  /** Reused for every batch (guarded by this store's monitor). */
  private byte[] writeBuffer = new byte[64 * 1024];
  private final CRC32C crc = new CRC32C();

  private FileAuditStore(Path dir, boolean readOnly, UnaryOperator<FileChannel> channelWrapper) {
    this.dir = dir;
    this.readOnly = readOnly;
    this.channelWrapper = channelWrapper;
  }

  /**
   * Opens (creating if needed) the log in {@code dir} for writing; recovers a torn tail.
   *
   * @throws AuditStoreException if the directory cannot be used or another process holds it
   * @throws AuditException if what is stored is damaged where opening for writing would have to
   *     change it (a damaged prune base, segments without a readable event); nothing is changed
   */
  public static FileAuditStore open(Path dir) {
    return open(dir, UnaryOperator.identity());
  }

  /** For fault-injection tests: every channel the store writes through passes {@code wrapper}. */
  static FileAuditStore open(Path dir, UnaryOperator<FileChannel> wrapper) {
    FileAuditStore s = new FileAuditStore(dir, false, wrapper);
    try {
      s.init();
    } catch (IOException | RuntimeException e) {
      s.close();
      if (e instanceof AuditException || e instanceof AuditStoreException) {
        throw (RuntimeException) e;
      }
      throw new AuditStoreException("cannot open audit log in " + dir + ": " + e.getMessage(), e);
    }
    return s;
  }

  /** For tests: a store that seals its open segment before it would exceed {@code maxSegmentBytes}. */
  static FileAuditStore open(Path dir, long maxSegmentBytes) {
    FileAuditStore s = open(dir);
    s.maxSegmentBytes = maxSegmentBytes;
    return s;
  }

  /** The size at which the open segment is sealed, far below the 2 GiB one mapping can read. */
  static final long MAX_SEGMENT_BYTES = 1L << 30;

  /** Opens the log in {@code dir} for reading and verification only; changes nothing on disk. */
  public static FileAuditStore openReadOnly(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new AuditStoreException("no audit log directory " + dir);
    }
    FileAuditStore s = new FileAuditStore(dir, true, UnaryOperator.identity());
    try {
      s.init();
    } catch (IOException | RuntimeException e) {
      throw e instanceof AuditStoreException ? (AuditStoreException) e
          : new AuditStoreException("cannot read audit log in " + dir + ": " + e.getMessage(), e);
    }
    return s;
  }

  private void init() throws IOException {
    if (!readOnly) {
      Files.createDirectories(dir);
      lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        lock = lockChannel.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new AuditStoreException("another process is writing the audit log in " + dir);
      }
    }
    Path basePath = dir.resolve(BASE);
    if (Files.exists(basePath)) {
      try {
        base = PruneBase.fromText(new String(DurableFiles.readSmall(basePath, MAX_BASE_BYTES), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException | IOException e) {
        if (!readOnly) {
          // Nothing has been changed yet, and nothing will be: the writer refuses, the verifier reports.
          throw new AuditException("the prune base file of " + dir + " is damaged (" + e.getMessage()
              + "); refusing to open it for writing. Run AuditVerifier; nothing was changed", e);
        }
        baseDamage = "malformed prune base file: " + e.getMessage();
      }
    }
    Path checkpointFile = dir.resolve(CHECKPOINTS);
    long checkpointFileSize = !readOnly && Files.exists(checkpointFile) ? Files.size(checkpointFile) : 0;
    if (checkpointFileSize > MAX_CHECKPOINT_FILE_BYTES) {
      // Far more than this store writes: damage or a crafted file. The verifier reports it; a
      // writer is refused here, before anything changes.
      throw new AuditException(CHECKPOINTS + " of " + dir + " is " + checkpointFileSize + " bytes, more than the "
          + MAX_CHECKPOINT_FILE_BYTES + " a checkpoint file can hold; refusing to open it for writing."
          + " Run AuditVerifier; nothing was changed");
    }
    TreeMap<Long, Path> segs = segmentFiles();
    if (!readOnly) {
      // Opening never deletes: segments below the base (left over from a retention run that
      // crashed after recording the base) stay until the next retention run removes them, and
      // a base that does not start at a segment boundary is refused before anything changes.
      if (base.firstSeq() > 0 && !segs.isEmpty() && !segs.containsKey(base.firstSeq())) {
        throw new AuditException("the prune base of " + dir + " says the log starts at seq " + base.firstSeq()
            + " but no segment starts there; refusing to open it for writing. Run AuditVerifier; nothing was changed");
      }
      if (segs.isEmpty()) {
        createSegment(base.firstSeq());
        segs = segmentFiles();
      }
    }
    nextSeq = base.firstSeq();
    lastChain = base.chainBefore();
    if (!segs.isEmpty()) {
      activeFirstSeq = segs.lastKey();
      Path last = segs.lastEntry().getValue();
      long size = Files.size(last);
      long validEnd = findTail(segs);
      if (validEnd < size && !readOnly) {
        String kept = quarantine(last, validEnd, size);
        recoveries.add(String.format(Locale.ROOT,
            "torn tail of %s: %d bytes after offset %d moved to %s; last durable seq %d",
            last.getFileName(), size - validEnd, validEnd, kept, nextSeq - 1));
      }
      activeSize = validEnd;
      if (!readOnly) {
        active = channelWrapper.apply(FileChannel.open(last, StandardOpenOption.WRITE, StandardOpenOption.READ));
      }
    }
    Path cps = dir.resolve(CHECKPOINTS);
    checkpointFileMissing = !Files.exists(cps, java.nio.file.LinkOption.NOFOLLOW_LINKS) && nextSeq > base.firstSeq();
    if (Files.exists(cps)) {
      long size = Files.size(cps);
      long end = 0;
      if (size > MAX_CHECKPOINT_FILE_BYTES) {
        end = size; // damage: the reader reports it (a writer was refused above)
      } else if (size > 0) {
        ByteBuffer buf = map(cps, size);
        int pos = 0;
        while (pos < size) {
          int n = AuditFrame.validFrameAt(buf, pos, (int) size, AuditFrame.MAGIC_CHECKPOINT);
          if (n < 0) {
            break;
          }
          pos += n;
        }
        end = new FrameResync(buf, (int) size, AuditFrame.MAGIC_CHECKPOINT).next(pos) < 0 ? pos : size;
      }
      if (end < size && !readOnly) {
        String kept = quarantine(cps, end, size);
        recoveries.add("torn tail of " + CHECKPOINTS + ": " + (size - end) + " bytes after offset " + end + " moved to " + kept);
      }
      checkpointSize = readOnly ? size : end;
    }
    if (!readOnly) {
      checkpointChannel = channelWrapper.apply(FileChannel.open(cps, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.READ));
    }
  }

  /**
   * Moves the bytes {@code [from, size)} of {@code file} into a new quarantine file (written,
   * fsynced and renamed into place first), then cuts them from {@code file}. Nothing is lost: the
   * verifier reports every quarantine file, and an operator can inspect it. Returns its name.
   */
  private String quarantine(Path file, long from, long size) throws IOException {
    String name = String.format(Locale.ROOT, "%s%s-%d%s", QUARANTINE_PREFIX, file.getFileName(), from, QUARANTINE_SUFFIX);
    Path target = dir.resolve(name);
    for (int i = 1; Files.exists(target); i++) {
      name = String.format(Locale.ROOT, "%s%s-%d.%d%s", QUARANTINE_PREFIX, file.getFileName(), from, i, QUARANTINE_SUFFIX);
      target = dir.resolve(name);
    }
    Path tmp = dir.resolve(name + ".tmp");
    try (FileChannel src = FileChannel.open(file, StandardOpenOption.READ);
         FileChannel dst = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
             StandardOpenOption.WRITE)) {
      long at = from;
      while (at < size) {
        long n = src.transferTo(at, size - at, dst);
        if (n <= 0) {
          throw new IOException("could not copy the torn tail of " + file.getFileName() + " to " + tmp.getFileName());
        }
        at += n;
      }
      dst.force(true);
    }
    moveAtomically(tmp, target);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(from);
      ch.force(true);
    }
    return name;
  }

  /** Sets nextSeq/lastChain from the newest durable frame; returns the valid end of the last segment. */
  private long findTail(TreeMap<Long, Path> segs) throws IOException {
    long validEnd = -1;
    for (Long first : segs.descendingKeySet()) {
      Path p = segs.get(first);
      long size = Files.size(p);
      long end = 0;
      StoredEvent lastGood = null;
      if (size > Integer.MAX_VALUE) {
        // Larger than any segment this store writes: damage the reader reports, never repaired.
        if (!readOnly) {
          throw new AuditException(p.getFileName() + " of " + dir + " is " + size + " bytes, larger than any segment"
              + " this store writes; refusing to open it for writing. Run AuditVerifier; nothing was changed");
        }
        end = size;
      } else if (size > 0) {
        ByteBuffer buf = map(p, size);
        lastGood = lastFrameIfClean(buf, (int) size, p.getFileName().toString());
        if (lastGood != null) {
          end = size;
        } else {
          FrameIterator it = new FrameIterator(buf, (int) size, p.getFileName().toString(), true);
          while (it.hasNext()) {
            StoredEvent e = it.next();
            if (!e.isDamaged()) {
              lastGood = e;
            }
          }
          end = it.tornAt >= 0 ? it.tornAt : size;
        }
      }
      if (validEnd < 0) {
        validEnd = end;
      }
      if (lastGood != null) {
        // (A record below the base is damage the reader reports; the head never goes below the base.)
        nextSeq = Math.max(lastGood.seq() + 1, base.firstSeq());
        lastChain = lastGood.chainHash();
        return validEnd;
      }
      if (first <= base.firstSeq()) {
        break;
      }
      nextSeq = Math.max(nextSeq, first);
    }
    if (nextSeq > base.firstSeq() && !readOnly) {
      // Segments exist past the base but hold no readable event: the chain head is unknown.
      throw new AuditException("no readable event before segment " + nextSeq + " in " + dir
          + "; refusing to open it for writing. Run AuditVerifier; nothing was changed");
    }
    nextSeq = base.firstSeq();
    return Math.max(validEnd, 0);
  }

  /**
   * Opening a large segment without checking every frame: when the frame headers lead exactly to
   * the end of the file and the last frame is complete and valid, that frame is the tail (any
   * damage before it does not change where the log ends; reads and the verifier report it).
   * Returns null otherwise, and the caller scans every frame.
   */
  private static StoredEvent lastFrameIfClean(ByteBuffer buf, int limit, String name) {
    int pos = 0;
    int last = -1;
    int touched = 0;
    while (limit - pos >= AuditFrame.HEADER_BYTES && buf.getInt(pos) == AuditFrame.MAGIC_EVENT) {
      int len = buf.getInt(pos + 4);
      if (len < 0 || len > AuditFrame.MAX_BODY_BYTES || len > limit - pos - AuditFrame.HEADER_BYTES) {
        return null;
      }
      last = pos;
      pos += AuditFrame.HEADER_BYTES + len;
      if (pos > touched - AuditFrame.TOUCH_SPAN / 2 && touched < limit) {
        touched = AuditFrame.touchAhead(buf, Math.max(pos, touched), limit);
      }
    }
    if (pos != limit || last < 0) {
      return null;
    }
    int n = AuditFrame.validFrameAt(buf, last, limit, AuditFrame.MAGIC_EVENT);
    if (n < 0) {
      return null;
    }
    StoredEvent e = AuditFrame.decodeEventBody(buf, last + AuditFrame.HEADER_BYTES, n - AuditFrame.HEADER_BYTES, name + "@" + last);
    return e.isDamaged() ? null : e;
  }

  private static ByteBuffer map(Path p, long size) throws IOException {
    if (size > Integer.MAX_VALUE) {
      // Not a file this store writes (it seals segments at 1 GiB): readers report it as unreadable.
      throw new IOException(p.getFileName() + " is " + size + " bytes, larger than the 2 GiB one segment can hold");
    }
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      return m;
    }
  }

  /**
   * Iterates the frames of one segment, reporting unreadable regions as damaged records and
   * resynchronising at the next valid frame. In the last segment, an unreadable region with no
   * valid frame after it is a torn tail.
   */
  private static final class FrameIterator implements Iterator<StoredEvent> {
    private final ByteBuffer buf;
    private final int limit;
    private final String name;
    private final boolean last;
    private int pos;
    long tornAt = -1;
    private StoredEvent next;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer view;
    /** Made at the first damage; resynchronisations share its work (linear in the bytes passed). */
    private FrameResync resync;

    FrameIterator(ByteBuffer buf, int limit, String name, boolean last) {
      this(buf, limit, name, last, 0);
    }

    /** Iterates from offset {@code from}, exactly as an iterator that reached it would go on. */
    FrameIterator(ByteBuffer buf, int limit, String name, boolean last, int from) {
      this.buf = buf;
      this.limit = limit;
      this.name = name;
      this.last = last;
      this.view = buf.duplicate();
      this.pos = from;
    }

    @Override
    public boolean hasNext() {
      if (next == null && pos < limit) {
        next = advance();
      }
      return next != null;
    }

    @Override
    public StoredEvent next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      StoredEvent e = next;
      next = null;
      return e;
    }

    private StoredEvent advance() {
      String location = name + "@" + pos;
      int n = AuditFrame.validFrameAt(buf, pos, limit, AuditFrame.MAGIC_EVENT, crc, view);
      if (n > 0) {
        StoredEvent e = AuditFrame.decodeEventBody(buf, pos + AuditFrame.HEADER_BYTES, n - AuditFrame.HEADER_BYTES, location);
        pos += n;
        return e;
      }
      if (resync == null) {
        resync = new FrameResync(buf, limit, AuditFrame.MAGIC_EVENT);
      }
      int q = resync.next(pos);
      int start = pos;
      if (q < 0) {
        pos = limit;
        if (last) {
          // Power loss leaves a partial frame, zeros or stale blocks after the last durable frame.
          // Nothing after them is readable; lost checkpointed events still show as TRUNCATED.
          tornAt = start;
          return StoredEvent.damaged(-1, location, "torn tail: " + (limit - start) + " bytes hold no complete frame");
        }
        return StoredEvent.damaged(-1, location, "unreadable bytes to the end of the segment (" + (limit - start) + " bytes)");
      }
      pos = q;
      return StoredEvent.damaged(-1, location, "unreadable frame (bad magic, length or CRC), " + (q - start) + " bytes skipped");
    }
  }

  private TreeMap<Long, Path> segmentFiles() throws IOException {
    TreeMap<Long, Path> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        long first = numberOf(SEGMENT, p);
        if (first >= 0) {
          out.put(first, p);
        }
      }
    }
    return out;
  }

  /**
   * The sequence number in a segment or hold file name, or -1 when {@code p} is not such a file:
   * another name, a number beyond {@link StoredEvent#MAX_SEQ} (or a {@code long}), or not a
   * regular file. Files that are not are foreign data, which reads report.
   */
  private static long numberOf(Pattern pattern, Path p) {
    Matcher m = pattern.matcher(p.getFileName().toString());
    if (!m.matches() || !Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return -1;
    }
    try {
      long n = Long.parseLong(m.group(1));
      return n <= StoredEvent.MAX_SEQ ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private List<String> foreignFiles() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String n = p.getFileName().toString();
        if (numberOf(SEGMENT, p) < 0 && numberOf(HOLD, p) < 0 && !n.equals(CHECKPOINTS)
            && !n.equals(BASE) && !n.equals(LOCK)) {
          out.add(n);
        }
      }
    }
    out.sort(null);
    return out;
  }

  private Path segmentPath(long first) {
    return dir.resolve(String.format(Locale.ROOT, "seg-%020d.log", first));
  }

  private Path holdPath(long first) {
    return dir.resolve(String.format(Locale.ROOT, "seg-%020d.hold", first));
  }

  private void createSegment(long first) throws IOException {
    Path target = segmentPath(first);
    Path tmp = dir.resolve(target.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    moveAtomically(tmp, target);
  }

  private void moveAtomically(Path tmp, Path target) throws IOException {
    DurableFiles.move(tmp, target);
  }

  private void fsyncDir() throws IOException {
    DurableFiles.forceDirectory(dir);
  }


  private void writable() {
    if (readOnly) {
      throw new AuditStoreException("store opened read-only");
    }
    if (broken) {
      throw new AuditStoreException("an earlier write failed and could not be undone; reopen the store to recover");
    }
  }

  @Override
  public synchronized StoreHead head() {
    return new StoreHead(nextSeq, lastChain, base);
  }

  @Override
  public synchronized void append(List<StoredEvent> batch) {
    writable();
    if (batch.isEmpty()) {
      return;
    }
    long expect = nextSeq;
    long total = 0;
    for (StoredEvent e : batch) {
      if (e.isDamaged() || e.seq() != expect++) {
        throw new SequenceConflictException("batch does not continue the log at seq " + nextSeq);
      }
      total += AuditFrame.eventFrameBytes(e);
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new AuditStoreException("batch too large for one write; use smaller batches");
    }
    if (activeSize > 0 && activeSize + total > maxSegmentBytes) {
      // Keep every segment readable by one mapping: start a new one for this batch.
      seal(nextSeq);
    }
    // One buffer, one write, one fsync for the whole batch (group commit).
    if (writeBuffer.length < total) {
      writeBuffer = new byte[(int) Math.max(total, Math.min((long) writeBuffer.length * 2, Integer.MAX_VALUE - 8))];
    }
    int at0 = 0;
    for (StoredEvent e : batch) {
      at0 = AuditFrame.putEventFrame(e, writeBuffer, at0, crc);
    }
    ByteBuffer buf = ByteBuffer.wrap(writeBuffer, 0, at0);
    long before = activeSize;
    try {
      long at = before;
      while (buf.hasRemaining()) {
        at += active.write(buf, at);
      }
      active.force(false);
    } catch (IOException | RuntimeException e) {
      undo(active, before);
      throw new AuditStoreException("audit append failed (" + e.getMessage() + "); nothing was acknowledged", e);
    }
    activeSize = before + total;
    if (writeBuffer.length > 16 * 1024 * 1024) {
      writeBuffer = new byte[64 * 1024];
    }
    nextSeq = expect;
    lastChain = batch.get(batch.size() - 1).chainHash();
  }

  private void undo(FileChannel ch, long size) {
    try {
      ch.truncate(size);
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      broken = true;
    }
  }

  /**
   * One segment file as {@link #read} iterates it, mapped, for the verifier's parallel scan; or
   * the damaged record {@code read} gives for a segment it cannot map ({@code unreadable}).
   */
  private record SegmentView(ByteBuffer buf, int limit, String name, boolean last, StoredEvent unreadable)
      implements MappedSegment {

    @Override
    public Iterator<StoredEvent> frames(int from) {
      return new FrameIterator(buf, limit, name, last, from);
    }
  }

  /**
   * What {@link #read}{@code (fromSeq)} returns, before it is iterated: the records for foreign
   * files, then the segments that hold {@code fromSeq} and later, mapped. Iterating the foreign
   * records, then each segment's {@link SegmentView#frames frames(0)} (keeping records that are
   * damaged or at least {@code fromSeq}) gives exactly what {@code read} gives.
   */
  @Override
  public synchronized Optional<FrameScan> frameScan(long fromSeq) {
    try {
      Listing l = listing(fromSeq);
      List<Path> files = l.files();
      List<StoredEvent> foreign = l.foreign();
      long activeLimit = l.activeLimit();
      Path activePath = l.activePath();
      List<MappedSegment> views = new ArrayList<>();
      for (Path p : files) {
        String name = p.getFileName().toString();
        try {
          long size = p.equals(activePath) && activeLimit >= 0 ? activeLimit : Files.size(p);
          if (size > 0) {
            views.add(new SegmentView(map(p, size), (int) size, name, p.equals(activePath), null));
          }
        } catch (IOException e) {
          views.add(new SegmentView(null, 0, name, false,
              StoredEvent.damaged(-1, name, "unreadable segment: " + e.getMessage())));
        }
      }
      return Optional.of(new FrameScan(foreign, views));
    } catch (IOException e) {
      throw new AuditStoreException("cannot list " + dir, e);
    }
  }

  /**
   * The segment files that hold {@code fromSeq} and later, the records for foreign files (when the
   * read starts at the log's first event), how much of the active segment is committed ({@code -1}
   * for a read-only store: all of it) and which file is the active one.
   */
  private Listing listing(long fromSeq) throws IOException {
    TreeMap<Long, Path> segs = segmentFiles();
    Long start = segs.floorKey(fromSeq);
    List<Path> files = new ArrayList<>((start == null ? segs : segs.tailMap(start, true)).values());
    List<StoredEvent> foreign = new ArrayList<>();
    if (baseDamage != null) {
      foreign.add(StoredEvent.damaged(-1, BASE, baseDamage));
    }
    if (fromSeq <= base.firstSeq()) {
      for (String f : foreignFiles()) {
        if (f.startsWith(QUARANTINE_PREFIX) && f.endsWith(QUARANTINE_SUFFIX)) {
          foreign.add(StoredEvent.damaged(-1, f, "quarantined bytes: what the writer cut from a torn tail on open and kept here (inspect them; they are not part of the log)"));
        } else {
          foreign.add(StoredEvent.damaged(-1, f, "foreign file in the log directory"));
        }
      }
    }
    return new Listing(files, foreign, readOnly ? -1 : activeSize, segs.isEmpty() ? null : segs.lastEntry().getValue());
  }

  private record Listing(List<Path> files, List<StoredEvent> foreign, long activeLimit, Path activePath) {}

  @Override
  public synchronized Stream<StoredEvent> read(long fromSeq) {
    try {
      Listing l = listing(fromSeq);
      List<Path> files = l.files();
      List<StoredEvent> foreign = l.foreign();
      long activeLimit = l.activeLimit();
      Path activePath = l.activePath();
      Stream<StoredEvent> events = files.stream().flatMap(p -> {
        try {
          long size = p.equals(activePath) && activeLimit >= 0 ? activeLimit : Files.size(p);
          if (size == 0) {
            return Stream.empty();
          }
          FrameIterator it = new FrameIterator(map(p, size), (int) size, p.getFileName().toString(), p.equals(activePath));
          return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false);
        } catch (IOException e) {
          return Stream.of(StoredEvent.damaged(-1, p.getFileName().toString(), "unreadable segment: " + e.getMessage()));
        }
      }).filter(e -> e.isDamaged() || e.seq() >= fromSeq);
      return Stream.concat(foreign.stream(), events);
    } catch (IOException e) {
      throw new AuditStoreException("cannot list " + dir, e);
    }
  }

  @Override
  public void putCheckpoint(String note) {
    synchronized (checkpointLock) {
      putCheckpointLocked(note);
    }
  }

  private void putCheckpointLocked(String note) {
    writable();
    byte[] f = AuditFrame.encodeCheckpoint(note);
    long before = checkpointSize;
    try {
      ByteBuffer buf = ByteBuffer.wrap(f);
      long at = before;
      while (buf.hasRemaining()) {
        at += checkpointChannel.write(buf, at);
      }
      checkpointChannel.force(false);
    } catch (IOException | RuntimeException e) {
      undo(checkpointChannel, before);
      throw new AuditStoreException("checkpoint write failed: " + e.getMessage(), e);
    }
    checkpointSize = before + f.length;
    checkpointFileMissing = false;
  }

  @Override
  public List<String> checkpoints() {
    synchronized (checkpointLock) {
      return checkpointsLocked();
    }
  }

  private List<String> checkpointsLocked() {
    Path cps = dir.resolve(CHECKPOINTS);
    List<String> out = new ArrayList<>();
    try {
      long fileSize = readOnly ? (Files.exists(cps) ? Files.size(cps) : 0) : checkpointSize;
      if (fileSize == 0) {
        return out;
      }
      // A checkpoint file this store wrote is far below the cap; a larger one is damage, read up
      // to the cap and the rest reported as one unreadable entry rather than refused.
      int size = (int) Math.min(fileSize, MAX_CHECKPOINT_FILE_BYTES);
      ByteBuffer buf = map(cps, size);
      FrameResync resync = new FrameResync(buf, size, AuditFrame.MAGIC_CHECKPOINT);
      int pos = 0;
      while (pos < size) {
        int n = AuditFrame.validFrameAt(buf, pos, size, AuditFrame.MAGIC_CHECKPOINT);
        if (n > 0) {
          byte[] body = new byte[n - AuditFrame.HEADER_BYTES];
          buf.duplicate().position(pos + AuditFrame.HEADER_BYTES).get(body);
          out.add(new String(body, StandardCharsets.UTF_8));
          pos += n;
        } else {
          int q = resync.next(pos);
          int end = q < 0 ? size : q;
          out.add(damagedCheckpointText(buf, pos, end));
          pos = end;
        }
      }
      if (fileSize > size) {
        out.add("[" + (fileSize - size) + " bytes of " + CHECKPOINTS + " beyond the " + MAX_CHECKPOINT_FILE_BYTES
            + " a checkpoint file can hold]");
      }
      return out;
    } catch (IOException e) {
      throw new AuditStoreException("cannot read checkpoints in " + dir, e);
    }
  }

  /** The most of {@code checkpoints.log} read: some 3 million checkpoints. */
  static final int MAX_CHECKPOINT_FILE_BYTES = 1 << 30;

  /** The longest damaged region of {@code checkpoints.log} handed on as it is (a note is far shorter). */
  static final int MAX_DAMAGED_CHECKPOINT_BYTES = 64 * 1024;

  /**
   * A region of {@code checkpoints.log} that holds no valid frame, as the text the verifier
   * reports: the bytes themselves when short (a torn or damaged frame of one note), else a
   * description of the region, so that crafted garbage costs no memory in proportion to its size.
   * The description has no line break, so it can never parse as a note.
   */
  private static String damagedCheckpointText(ByteBuffer buf, int from, int to) {
    if (to - from <= MAX_DAMAGED_CHECKPOINT_BYTES) {
      byte[] raw = new byte[to - from];
      buf.duplicate().position(from).get(raw);
      return new String(raw, StandardCharsets.UTF_8);
    }
    return "[" + (to - from) + " bytes of " + CHECKPOINTS + " at offset " + from + " hold no checkpoint frame]";
  }

  @Override
  public synchronized List<Segment> segments() {
    try {
      TreeMap<Long, Path> segs = segmentFiles();
      List<Segment> out = new ArrayList<>();
      List<Long> firsts = new ArrayList<>(segs.keySet());
      for (int i = 0; i < firsts.size(); i++) {
        long first = firsts.get(i);
        boolean isLast = i == firsts.size() - 1;
        long last = isLast ? nextSeq - 1 : firsts.get(i + 1) - 1;
        out.add(new Segment(first, Math.max(last, first - 1), !isLast, Files.exists(holdPath(first))));
      }
      return out;
    } catch (IOException e) {
      throw new AuditStoreException("cannot list " + dir, e);
    }
  }

  @Override
  public synchronized void seal(long sealAt) {
    writable();
    if (sealAt != nextSeq) {
      throw new AuditStoreException("seal at " + sealAt + " but the log ends at " + nextSeq);
    }
    if (activeFirstSeq == sealAt) {
      return;
    }
    try {
      active.force(true);
      createSegment(sealAt);
      FileChannel old = active;
      active = channelWrapper.apply(FileChannel.open(segmentPath(sealAt), StandardOpenOption.WRITE, StandardOpenOption.READ));
      old.close();
      activeFirstSeq = sealAt;
      activeSize = 0;
    } catch (IOException e) {
      throw new AuditStoreException("cannot seal segment: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void setLegalHold(long segmentFirstSeq, boolean held) {
    writable();
    try {
      if (!segmentFiles().containsKey(segmentFirstSeq)) {
        throw new AuditStoreException("no segment starts at " + segmentFirstSeq);
      }
      Path h = holdPath(segmentFirstSeq);
      if (held) {
        Path tmp = dir.resolve(h.getFileName() + ".tmp");
        Files.writeString(tmp, "legal hold\n", StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
        moveAtomically(tmp, h);
      } else {
        Files.deleteIfExists(h);
        fsyncDir();
      }
    } catch (IOException e) {
      throw new AuditStoreException("cannot change legal hold: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void prune(PruneBase newBase) {
    writable();
    long cut = newBase.firstSeq();
    List<Segment> segs = segments();
    boolean boundary = false;
    for (Segment s : segs) {
      if (s.firstSeq() == cut) {
        boundary = true;
        break;
      }
      if (!s.sealed() || s.legalHold()) {
        throw new AuditStoreException("segment " + s.firstSeq() + " is unsealed or held; nothing removed");
      }
    }
    if (!boundary) {
      throw new AuditStoreException("prune cut " + cut + " is not a segment boundary; nothing removed");
    }
    try {
      Path tmp = dir.resolve(BASE + ".tmp");
      Files.writeString(tmp, newBase.toText() + "\n", StandardCharsets.UTF_8);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      moveAtomically(tmp, dir.resolve(BASE));
      base = newBase;
      for (Segment s : segs) {
        if (s.firstSeq() >= cut) {
          break;
        }
        Files.deleteIfExists(segmentPath(s.firstSeq()));
      }
      fsyncDir();
    } catch (IOException e) {
      throw new AuditStoreException("retention failed: " + e.getMessage(), e);
    }
  }

  /**
   * Whether the checkpoint file was absent when this store was opened (opening for writing then
   * creates an empty one). Under a log that holds events, that means checkpoints were deleted.
   */
  @Override
  public boolean checkpointsLost() {
    return checkpointFileMissing;
  }

  @Override
  public synchronized List<String> recoveries() {
    return List.copyOf(recoveries);
  }

  /** The log directory. */
  public Path directory() {
    return dir;
  }

  @Override
  public synchronized void close() {
    synchronized (checkpointLock) {
      for (AutoCloseable c : new AutoCloseable[] {active, checkpointChannel, lock, lockChannel}) {
        if (c != null) {
          try {
            c.close();
          } catch (Exception e) {
            // Closing after a failure: nothing more to do, and the data is already durable.
          }
        }
      }
      active = null;
      checkpointChannel = null;
      lock = null;
      lockChannel = null;
    }
  }

  @Override
  public String toString() {
    return "FileAuditStore[" + dir + (readOnly ? ", read-only" : "") + "]";
  }
}
