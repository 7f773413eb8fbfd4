package dev.bulwark.audit.internal;

import dev.bulwark.audit.AuditException;
import dev.bulwark.audit.AuditFormatException;
import dev.bulwark.audit.Checkpoint;
import dev.bulwark.audit.CheckpointKey;
import dev.bulwark.audit.SignedCheckpoint;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.CheckpointAnchor;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the writer checks before it appends to a stored log: it rebuilds the tree and chain from
 * the store, and refuses (fail closed) a log that disagrees with the checkpoints stored with it
 * or held by an anchor, or that holds more unsigned events than a crash can leave, unless an
 * operator accepted them. Bulwark never repairs: every refusal says to run the verifier.
 *
 * <p>Not thread-safe (the writer runs it under its lock). Not part of the API.
 */
public final class OpenChecks {

  /** Builds the refusal for events no signed checkpoint covers (a public exception type). */
  public interface UnsealedRefusal {
    RuntimeException refuse(String message, long sealedSize, long storedSize);
  }

  /**
   * @param accept -2 when nothing needs accepting; otherwise (an operator accepts) the size of
   *     the newest checkpoint signed by the log's keys, -1 for none
   * @param lastCheckpointSize size of the newest stored checkpoint of this log within the stored
   *     events, -1 for none
   */
  public record Opened(long accept, long lastCheckpointSize) {}

  private final String origin;
  private final AuditStore store;
  private final List<CheckpointKey> keys;
  private final List<CheckpointAnchor> anchors;
  private final TamperWindow window;
  private final long unsealedBound;
  private final boolean operatorAccepts;
  private final UnsealedRefusal refusal;

  /**
   * @param keys the public keys of the log's signers (empty for an unsigned log)
   * @param unsealedBound the most events a crash can leave after the last stored checkpoint
   * @param operatorAccepts whether an operator accepted unsealed history
   */
  public OpenChecks(String origin, AuditStore store, List<CheckpointKey> keys, List<CheckpointAnchor> anchors,
      TamperWindow window, long unsealedBound, boolean operatorAccepts, UnsealedRefusal refusal) {
    this.origin = origin;
    this.store = store;
    this.keys = List.copyOf(keys);
    this.anchors = List.copyOf(anchors);
    this.window = window;
    this.unsealedBound = unsealedBound;
    this.operatorAccepts = operatorAccepts;
    this.refusal = refusal;
  }

  /** Loads the stored log into {@code st} and checks it; throws when the writer must not append. */
  public Opened run(LogState st) {
    st.reset(store.head().base());
    List<SignedCheckpoint> stored = storedCheckpoints();
    Set<Long> watched = new HashSet<>();
    for (SignedCheckpoint s : stored) {
      watched.add(s.checkpoint().size());
    }
    st.watch(watched);
    Map<Long, byte[]> chainAt;
    try {
      st.catchUp(store);
    } finally {
      chainAt = st.unwatch();
    }
    checkAgainst(st, stored, chainAt);
    long accept = unsealedHistory(st, stored);
    long lastCheckpointSize = -1;
    long signedBeyond = -1;
    for (String cp : store.checkpoints()) {
      try {
        SignedCheckpoint s = SignedCheckpoint.parse(cp);
        if (s.checkpoint().size() <= st.nextSeq() && s.checkpoint().origin().equals(origin)) {
          lastCheckpointSize = Math.max(lastCheckpointSize, s.checkpoint().size());
        } else if (s.checkpoint().origin().equals(origin) && s.checkpoint().size() > signedBeyond
            && !s.verifiedBy(keys).isEmpty()) {
          signedBeyond = s.checkpoint().size();
        }
      } catch (AuditFormatException e) {
        // A damaged checkpoint is the verifier's business; the writer signs a fresh one.
      }
    }
    if (signedBeyond > st.nextSeq()) {
      st.catchUp(store); // another writer of a shared log may have appended and signed since we read
    }
    if (signedBeyond > st.nextSeq()) {
      // Events this log signed for are gone (truncated, or an older copy restored). Appending
      // would sign a history that contradicts that checkpoint: fail closed instead.
      throw new AuditException("the store holds " + st.nextSeq() + " events but a checkpoint this log signed covers "
          + signedBeyond + "; acknowledged events are missing; refusing to append. Run AuditVerifier;"
          + " Bulwark never repairs tampering");
    }
    for (CheckpointAnchor a : anchors) {
      SignedCheckpoint anchored = latestAnchored(a);
      if (anchored == null) {
        continue;
      }
      long size = anchored.checkpoint().size();
      if (size > st.nextSeq()) {
        st.catchUp(store); // another writer of a shared log may have appended and anchored since we read
      }
      if (size > st.nextSeq() || (size >= st.base().firstSeq()
          && !MessageDigest.isEqual(st.tree().rootAt(size), anchored.checkpoint().root().toByteArray()))) {
        // Growing this store would anchor a checkpoint contradicting the anchored one and hide the rollback.
        throw new AuditException("the store is not the log " + a + " anchored at size " + size
            + " (an older copy was restored, or events were rewritten); refusing to append."
            + " Run AuditVerifier; Bulwark never repairs tampering");
      }
    }
    return new Opened(accept, lastCheckpointSize);
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
  private static void checkAgainst(LogState st, List<SignedCheckpoint> stored, Map<Long, byte[]> chainAt) {
    long nextSeq = st.nextSeq();
    long first = st.base().firstSeq();
    for (SignedCheckpoint s : stored) {
      Checkpoint c = s.checkpoint();
      long size = c.size();
      if (size > nextSeq || size < first || size == 0) {
        continue; // beyond the end: the signedBeyond check; before the cut: pruned
      }
      byte[] chain = size == first ? st.base().chainBefore().toByteArray() : chainAt.get(size);
      boolean rootOk = MessageDigest.isEqual(st.tree().rootAt(size), c.root().toByteArray());
      boolean chainOk = chain != null && MessageDigest.isEqual(chain, c.chainHead().toByteArray());
      if (!rootOk || !chainOk) {
        throw new AuditException("the stored events differ from the checkpoint of size " + size
            + " stored with them (" + (!rootOk ? "Merkle root" : "chain head") + "): events were rewritten;"
            + " refusing to append. Run AuditVerifier; Bulwark never repairs tampering");
      }
    }
  }

  /**
   * With signers: -2 when the stored events are sealed as far as a crash allows; otherwise
   * (accepted by an operator) the size of the newest checkpoint signed by this log's keys, -1
   * for none. Without an operator's acceptance, too many unsealed events throw.
   */
  private long unsealedHistory(LogState st, List<SignedCheckpoint> stored) {
    long nextSeq = st.nextSeq();
    long first = st.base().firstSeq();
    if (keys.isEmpty() || nextSeq <= first) {
      return -2;
    }
    long sealed = -1;
    List<SignedCheckpoint> bySize = new ArrayList<>(stored);
    bySize.sort(Comparator.comparingLong((SignedCheckpoint s) -> s.checkpoint().size()).reversed());
    for (SignedCheckpoint s : bySize) {
      if (s.checkpoint().size() <= nextSeq && !s.verifiedBy(keys).isEmpty()) {
        sealed = s.checkpoint().size();
        break;
      }
    }
    boolean lost = store instanceof StoreCapabilities c && c.checkpointsLost();
    if (sealed >= 0 && !lost && nextSeq - Math.max(sealed, first) <= unsealedBound) {
      return -2;
    }
    if (operatorAccepts) {
      return sealed;
    }
    String why = lost ? "its checkpoint file is missing"
        : sealed < 0 ? "no checkpoint signed by this log's keys is stored"
        : (nextSeq - Math.max(sealed, first)) + " events follow the last signed checkpoint (size " + sealed
            + "), more than a crash can leave unsigned (" + unsealedBound + ")";
    throw refusal.refuse("the store holds " + nextSeq + " events but " + why
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
          && !s.verifiedBy(keys).isEmpty();
      return ours ? s : null;
    } catch (AuditFormatException | RuntimeException e) {
      // Unreadable now: the writer cannot compare; the verifier still will.
      window.error(anchor.getClass().getSimpleName() + ": cannot read the anchored checkpoint: " + e.getMessage());
      return null;
    }
  }
}
