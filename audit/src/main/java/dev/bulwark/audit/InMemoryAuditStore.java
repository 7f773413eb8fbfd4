package dev.bulwark.audit;

import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.Segment;
import dev.bulwark.audit.spi.SegmentedAuditStore;
import dev.bulwark.audit.spi.SequenceConflictException;
import dev.bulwark.audit.spi.StoreHead;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.common.Bytes;
import dev.bulwark.common.internal.ByteAccess;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * An audit store in memory, for tests and short-lived embedded use: same semantics as the file
 * and JDBC stores, nothing survives the process. Thread-safe (one monitor).
 *
 * <p>Records are packed into 1 MiB byte arrays (sequence number, payload, chain hash, MAC: about
 * 80 bytes beyond the event itself), so a long-running log costs the garbage collector almost
 * nothing per event; reads unpack copies.
 *
 * <p>{@link #tamper(UnaryOperator)} rewrites the stored records without any check, as an
 * attacker with write access would; the tamper corpus uses it.
 */
public final class InMemoryAuditStore implements SegmentedAuditStore {

  private static final int CHUNK_BYTES = 1 << 20;

  private Records records = new Records();
  private final List<String> checkpoints = new ArrayList<>();
  private final List<long[]> segments = new ArrayList<>(); // {firstSeq, sealed 0/1, hold 0/1}
  private PruneBase base = PruneBase.GENESIS;
  private long nextSeq;
  private Bytes lastChain = PruneBase.GENESIS.chainBefore();

  public InMemoryAuditStore() {
    segments.add(new long[] {0, 0, 0});
  }

  /**
   * Append-only packed records. Bytes once written never change, so a reader may keep using a
   * view ({@link #count}, chunks, index) while appends continue; pruning and tampering build a
   * new instance.
   */
  private static final class Records {
    final List<byte[]> chunks = new ArrayList<>();
    byte[] chunk;
    int chunkPos;
    long[] index = new long[1024];
    int count;
    /** Records that are not packed (damaged ones from tamper()), by position. */
    final Map<Integer, StoredEvent> unpacked = new HashMap<>();

    void add(StoredEvent e) {
      if (count == index.length) {
        index = Arrays.copyOf(index, index.length * 2);
      }
      byte[] payload = ByteAccess.array(e.payload());
      byte[] chain = ByteAccess.array(e.chainHash());
      byte[] mac = ByteAccess.array(e.mac());
      int size = 8 + 4 + payload.length + 1 + chain.length + 1 + mac.length;
      if (e.isDamaged() || size > CHUNK_BYTES) {
        unpacked.put(count, e);
        index[count++] = -1;
        return;
      }
      if (chunk == null || chunkPos + size > CHUNK_BYTES) {
        chunk = new byte[CHUNK_BYTES];
        chunks.add(chunk);
        chunkPos = 0;
      }
      long at = (long) (chunks.size() - 1) * CHUNK_BYTES + chunkPos;
      byte[] c = chunk;
      int p = chunkPos;
      long seq = e.seq();
      for (int s = 56; s >= 0; s -= 8) {
        c[p++] = (byte) (seq >>> s);
      }
      c[p++] = (byte) (payload.length >>> 24);
      c[p++] = (byte) (payload.length >>> 16);
      c[p++] = (byte) (payload.length >>> 8);
      c[p++] = (byte) payload.length;
      System.arraycopy(payload, 0, c, p, payload.length);
      p += payload.length;
      c[p++] = (byte) chain.length;
      System.arraycopy(chain, 0, c, p, chain.length);
      p += chain.length;
      c[p++] = (byte) mac.length;
      System.arraycopy(mac, 0, c, p, mac.length);
      p += mac.length;
      chunkPos = p;
      index[count++] = at;
    }

    /** The record at {@code position} (below the {@code count} the caller saw). */
    StoredEvent get(int position, List<byte[]> chunkView, long[] indexView) {
      long at = indexView[position];
      if (at < 0) {
        return unpacked.get(position);
      }
      byte[] c = chunkView.get((int) (at / CHUNK_BYTES));
      int p = (int) (at % CHUNK_BYTES);
      long seq = 0;
      for (int i = 0; i < 8; i++) {
        seq = (seq << 8) | (c[p++] & 0xff);
      }
      int plen = ((c[p] & 0xff) << 24) | ((c[p + 1] & 0xff) << 16) | ((c[p + 2] & 0xff) << 8) | (c[p + 3] & 0xff);
      p += 4;
      byte[] payload = Arrays.copyOfRange(c, p, p + plen);
      p += plen;
      int clen = c[p++] & 0xff;
      byte[] chain = Arrays.copyOfRange(c, p, p + clen);
      p += clen;
      int mlen = c[p++] & 0xff;
      byte[] mac = Arrays.copyOfRange(c, p, p + mlen);
      return StoredEvent.of(seq, ByteAccess.wrap(payload), ByteAccess.wrap(chain), ByteAccess.wrap(mac), "memory#" + seq);
    }

    List<StoredEvent> all() {
      List<StoredEvent> out = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        out.add(get(i, chunks, index));
      }
      return out;
    }

    static Records of(List<StoredEvent> events) {
      Records r = new Records();
      for (StoredEvent e : events) {
        r.add(e);
      }
      return r;
    }
  }

  @Override
  public synchronized StoreHead head() {
    return new StoreHead(nextSeq, lastChain, base);
  }

  @Override
  public synchronized void append(List<StoredEvent> batch) {
    if (batch.isEmpty()) {
      return;
    }
    long expect = nextSeq;
    for (StoredEvent e : batch) {
      if (e.isDamaged() || e.seq() != expect++) {
        throw new SequenceConflictException("batch does not continue the log at seq " + nextSeq);
      }
    }
    for (StoredEvent e : batch) {
      records.add(e);
    }
    nextSeq = expect;
    lastChain = batch.get(batch.size() - 1).chainHash();
  }

  @Override
  public synchronized Stream<StoredEvent> read(long fromSeq) {
    // A view of what is stored now; appends after this call are not part of it.
    Records r = records;
    int count = r.count;
    List<byte[]> chunks = List.copyOf(r.chunks);
    long[] index = r.index;
    Map<Integer, StoredEvent> unpacked = Map.copyOf(r.unpacked);
    return IntStream.range(0, count)
        .mapToObj(i -> index[i] < 0 ? unpacked.get(i) : r.get(i, chunks, index))
        .filter(e -> e.isDamaged() || e.seq() >= fromSeq);
  }

  @Override
  public synchronized void putCheckpoint(String note) {
    checkpoints.add(note);
  }

  @Override
  public synchronized List<String> checkpoints() {
    return List.copyOf(checkpoints);
  }

  @Override
  public synchronized List<Segment> segments() {
    List<Segment> out = new ArrayList<>();
    for (int i = 0; i < segments.size(); i++) {
      long first = segments.get(i)[0];
      long last = i + 1 < segments.size() ? segments.get(i + 1)[0] - 1 : nextSeq - 1;
      out.add(new Segment(first, last, segments.get(i)[1] == 1, segments.get(i)[2] == 1));
    }
    return out;
  }

  @Override
  public synchronized void seal(long sealAt) {
    long[] open = segments.get(segments.size() - 1);
    if (sealAt != nextSeq) {
      throw new AuditStoreException("seal at " + sealAt + " but the log ends at " + nextSeq);
    }
    if (open[0] == sealAt) {
      return;
    }
    open[1] = 1;
    segments.add(new long[] {sealAt, 0, 0});
  }

  @Override
  public synchronized void setLegalHold(long segmentFirstSeq, boolean held) {
    for (long[] s : segments) {
      if (s[0] == segmentFirstSeq) {
        s[2] = held ? 1 : 0;
        return;
      }
    }
    throw new AuditStoreException("no segment starts at " + segmentFirstSeq);
  }

  @Override
  public synchronized void prune(PruneBase newBase) {
    long cut = newBase.firstSeq();
    int idx = -1;
    for (int i = 0; i < segments.size(); i++) {
      if (segments.get(i)[0] == cut) {
        idx = i;
      }
    }
    if (idx < 0) {
      throw new AuditStoreException("prune cut " + cut + " is not a segment boundary");
    }
    for (int i = 0; i < idx; i++) {
      if (segments.get(i)[1] != 1 || segments.get(i)[2] == 1) {
        throw new AuditStoreException("segment " + segments.get(i)[0] + " is unsealed or held");
      }
    }
    base = newBase;
    List<StoredEvent> kept = records.all();
    kept.removeIf(e -> e.seq() < cut);
    records = Records.of(kept);
    segments.subList(0, idx).clear();
  }

  /** Rewrites the stored records without checks (tests: simulates an attacker with write access). */
  public synchronized void tamper(UnaryOperator<List<StoredEvent>> change) {
    records = Records.of(change.apply(records.all()));
  }

  /** Rewrites the stored checkpoints without checks (tests: simulates a rollback). */
  public synchronized void tamperCheckpoints(UnaryOperator<List<String>> change) {
    List<String> changed = change.apply(new ArrayList<>(checkpoints));
    checkpoints.clear();
    checkpoints.addAll(changed);
  }

  @Override
  public void close() {
    // nothing to release
  }
}
