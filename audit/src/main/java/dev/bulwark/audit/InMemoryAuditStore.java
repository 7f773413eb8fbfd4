package dev.bulwark.audit;

import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.AuditStoreException;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.Segment;
import dev.bulwark.audit.spi.SequenceConflictException;
import dev.bulwark.audit.spi.StoreHead;
import dev.bulwark.audit.spi.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * An audit store in memory, for tests and short-lived embedded use: same semantics as the file
 * and JDBC stores, nothing survives the process. Thread-safe (one monitor).
 *
 * <p>{@link #tamper(UnaryOperator)} rewrites the stored records without any check, as an
 * attacker with write access would; the tamper corpus uses it.
 */
public final class InMemoryAuditStore implements AuditStore {

  private final List<StoredEvent> events = new ArrayList<>();
  private final List<String> checkpoints = new ArrayList<>();
  private final List<long[]> segments = new ArrayList<>(); // {firstSeq, sealed 0/1, hold 0/1}
  private PruneBase base = PruneBase.GENESIS;
  private long nextSeq;
  private Bytes lastChain = PruneBase.GENESIS.chainBefore();

  public InMemoryAuditStore() {
    segments.add(new long[] {0, 0, 0});
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
    events.addAll(batch);
    nextSeq = expect;
    lastChain = batch.get(batch.size() - 1).chainHash();
  }

  @Override
  public synchronized Stream<StoredEvent> read(long fromSeq) {
    List<StoredEvent> copy = new ArrayList<>();
    for (StoredEvent e : events) {
      if (e.seq() >= fromSeq || e.isDamaged()) {
        // Locations are set on the way out, keeping the append path free of string building.
        copy.add(e.isDamaged() ? e : e.at("memory#" + e.seq()));
      }
    }
    return copy.stream();
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
    events.removeIf(e -> e.seq() < cut);
    segments.subList(0, idx).clear();
  }

  /** Rewrites the stored records without checks (tests: simulates an attacker with write access). */
  public synchronized void tamper(UnaryOperator<List<StoredEvent>> change) {
    List<StoredEvent> changed = change.apply(new ArrayList<>(events));
    events.clear();
    events.addAll(changed);
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
