package dev.bulwark.audit.internal;

import dev.bulwark.audit.AuditException;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.common.Bytes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * What the writer knows of its log: where it starts (the prune base), the Merkle tree, the next
 * sequence number and the chain hash of the last event. It catches up with events other writers
 * stored, checking their chain and tags on the way.
 *
 * <p>Guarded by the writer lock, except {@link #nextSeq()}, which any thread may read. Not part
 * of the API.
 */
public final class LogState {
  private final byte[] originUtf8;
  /** HMAC of a chain hash under the log's chain key; null for an unkeyed log. */
  private final UnaryOperator<byte[]> tagger;
  private MerkleTree tree;
  private PruneBase base;
  private volatile long nextSeq;
  private byte[] lastChain;
  /** Checkpoint sizes whose chain head {@link #catchUp} remembers in {@link #chainAt}. */
  private Set<Long> watchedSizes = Set.of();
  private final Map<Long, byte[]> chainAt = new HashMap<>();

  public LogState(byte[] originUtf8, UnaryOperator<byte[]> tagger) {
    this.originUtf8 = originUtf8.clone();
    this.tagger = tagger;
  }

  /** Starts over at {@code base} (an empty log after it). */
  public void reset(PruneBase base) {
    this.base = base;
    List<byte[]> range = new ArrayList<>();
    for (Bytes b : base.compactRange()) {
      range.add(b.toByteArray());
    }
    tree = new MerkleTree(base.firstSeq(), range);
    nextSeq = base.firstSeq();
    lastChain = base.chainBefore().toByteArray();
  }

  public MerkleTree tree() {
    return tree;
  }

  public PruneBase base() {
    return base;
  }

  /** After retention removed the events before {@code newBase}. */
  public void rebase(PruneBase newBase) {
    this.base = newBase;
  }

  public long nextSeq() {
    return nextSeq;
  }

  /** The chain hash of event {@code nextSeq() - 1} (of the base when there is none); not a copy. */
  public byte[] lastChain() {
    return lastChain;
  }

  /** A batch up to {@code next - 1} was stored; its leaves are already in the tree. */
  public void advance(long next, byte[] chain) {
    lastChain = chain;
    nextSeq = next;
  }

  /** Remembers the chain hash at these checkpoint sizes while catching up (until {@link #unwatch}). */
  public void watch(Set<Long> sizes) {
    watchedSizes = sizes;
  }

  /** The chain hashes remembered at watched sizes; forgets them and stops watching. */
  public Map<Long, byte[]> unwatch() {
    watchedSizes = Set.of();
    Map<Long, byte[]> out = Map.copyOf(chainAt);
    chainAt.clear();
    return out;
  }

  /** Reads events the store has and this writer has not seen, checking their chain. */
  public void catchUp(AuditStore store) {
    if (store.head().nextSeq() == nextSeq) {
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
        if (!MessageDigest.isEqual(chain, e.chainHash().toByteArray())) {
          throw new AuditException("stored chain breaks at seq " + e.seq() + " (" + e.location()
              + "); refusing to append. Run AuditVerifier");
        }
        if (tagger != null && (e.mac().length() != 32
            || !MessageDigest.isEqual(tagger.apply(chain), e.mac().toByteArray()))) {
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
}
