package dev.bulwark.audit;

import dev.bulwark.audit.internal.Hashes;
import dev.bulwark.audit.internal.MerkleTree;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.CheckpointAnchor;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
 * <p>Streaming: memory is about 64 bytes per event (the rebuilt Merkle tree). Thread-safe
 * (immutable); each call reads the store afresh.
 */
public final class AuditVerifier {

  private static final int REORDER_WINDOW = 4096;

  private final String origin;
  private final byte[] originUtf8;
  private final List<CheckpointKey> keys;
  private final ChainKey chainKey;
  private final List<CheckpointAnchor> anchors;

  private AuditVerifier(Builder b) {
    this.origin = b.origin;
    this.originUtf8 = b.origin.getBytes(StandardCharsets.UTF_8);
    this.keys = List.copyOf(b.keys);
    this.chainKey = b.chainKey;
    this.anchors = List.copyOf(b.anchors);
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

    public AuditVerifier build() {
      return new AuditVerifier(this);
    }
  }

  private static final class Rec {
    final StoredEvent stored;
    final LoggedEvent event;
    final byte[] leaf;

    Rec(StoredEvent stored, LoggedEvent event, byte[] leaf) {
      this.stored = stored;
      this.event = event;
      this.leaf = leaf;
    }
  }

  private final class Run {
    final List<Finding> findings = new ArrayList<>();
    final List<String> notChecked = new ArrayList<>();
    final PruneBase base;
    final MerkleTree tree;
    boolean treeValid = true;
    long expected;
    byte[] prev;
    boolean acceptedAny;
    long checked;
    boolean macsSeen;
    final TreeMap<Long, Rec> pending = new TreeMap<>();
    final Set<Long> sizesOfInterest = new HashSet<>();
    final Map<Long, byte[]> chainAt = new HashMap<>();
    final List<LoggedEvent> receipts = new ArrayList<>();

    Run(PruneBase base) {
      this.base = base;
      List<byte[]> range = new ArrayList<>();
      for (Bytes b : base.compactRange()) {
        range.add(b.toByteArray());
      }
      this.tree = new MerkleTree(base.firstSeq(), range);
      this.expected = base.firstSeq();
      this.prev = base.chainBefore().toByteArray();
    }

    void add(FindingCode code, long seq, String location, String message) {
      findings.add(new Finding(code, seq, location, message));
    }

    void record(StoredEvent s) {
      checked++;
      if (s.isDamaged()) {
        String d = s.damage();
        FindingCode code = d.startsWith("torn tail") ? FindingCode.TORN_TAIL
            : d.startsWith("foreign file") ? FindingCode.FOREIGN_DATA : FindingCode.MODIFIED;
        add(code, s.seq(), s.location(), d);
        return;
      }
      LoggedEvent e;
      try {
        e = CanonicalEncoding.decode(s.payload());
      } catch (AuditFormatException ex) {
        add(FindingCode.MODIFIED, s.seq(), s.location(), "event bytes do not decode: " + ex.getMessage());
        return;
      }
      if (e.seq() != s.seq()) {
        add(FindingCode.MODIFIED, s.seq(), s.location(), "record is filed as seq " + s.seq() + " but the event says seq " + e.seq());
        return;
      }
      Rec r = new Rec(s, e, Hashes.leaf(s.payload().toByteArray()));
      long seq = s.seq();
      if (seq == expected) {
        accept(r);
        drain();
      } else if (seq > expected) {
        Rec old = pending.putIfAbsent(seq, r);
        if (old != null) {
          fork(old, r);
        }
        if (pending.size() > REORDER_WINDOW) {
          gapTo(pending.firstKey());
          drain();
        }
      } else {
        byte[] known = treeValid ? tree.leafAt(seq) : null;
        if (known != null && MessageDigest.isEqual(known, r.leaf)) {
          add(FindingCode.FORK, seq, s.location(), "seq " + seq + " is stored twice");
        } else {
          add(FindingCode.FORK, seq, s.location(), "a second, different event claims seq " + seq);
        }
      }
    }

    void fork(Rec a, Rec b) {
      add(FindingCode.FORK, b.stored.seq(), b.stored.location(), "a second event claims seq " + b.stored.seq()
          + " (first at " + a.stored.location() + ")");
    }

    void drain() {
      while (!pending.isEmpty() && pending.firstKey() == expected) {
        Rec r = pending.pollFirstEntry().getValue();
        add(FindingCode.REORDERED, r.stored.seq(), r.stored.location(), "event seq " + r.stored.seq()
            + " is stored before events that precede it");
        accept(r);
      }
    }

    void gapTo(long next) {
      FindingCode code = acceptedAny ? FindingCode.SEQUENCE_GAP : FindingCode.HEAD_PRUNED_WITHOUT_RECEIPT;
      add(code, expected, "seq " + expected + ".." + (next - 1),
          (next - expected) + " event(s) missing" + (acceptedAny ? "" : " at the head of the log, with no prune receipt"));
      treeValid = false;
      expected = next;
      prev = null;
    }

    void accept(Rec r) {
      StoredEvent s = r.stored;
      long seq = s.seq();
      byte[] stored = s.chainHash().toByteArray();
      if (prev != null) {
        byte[] chain = Hashes.chain(originUtf8, seq, prev, r.leaf);
        if (!MessageDigest.isEqual(chain, stored)) {
          add(FindingCode.MODIFIED, seq, s.location(), "chain hash does not match: this event or the one before it was changed");
        }
      }
      if (chainKey != null) {
        if (s.mac().isEmpty()) {
          add(FindingCode.MODIFIED, seq, s.location(), "event has no MAC but the log is keyed");
        } else if (!MessageDigest.isEqual(chainKey.tag(stored), s.mac().toByteArray())) {
          add(FindingCode.MODIFIED, seq, s.location(), "MAC does not verify: event forged or edited without the chain key");
        }
      } else if (!s.mac().isEmpty()) {
        macsSeen = true;
      }
      prev = stored;
      if (treeValid) {
        tree.append(r.leaf);
      }
      if (sizesOfInterest.contains(seq + 1)) {
        chainAt.put(seq + 1, stored);
      }
      Action a = r.event.event().action();
      if (a.equals(Action.AUDIT_LOG_RECOVERED)) {
        add(FindingCode.TORN_TAIL_RECOVERED, seq, s.location(), "writer recovered a crash: " + r.event.event().details().get("recovery"));
      } else if (a.equals(Action.AUDIT_LOG_PRUNED)) {
        receipts.add(r.event);
      }
      acceptedAny = true;
      expected = seq + 1;
    }
  }

  /** Verifies the log in {@code store}. Never throws for bad content; only for an unreadable store. */
  public VerificationReport verify(AuditStore store) {
    PruneBase base = store.head().base();
    Run run = new Run(base);

    // Checkpoints first: their sizes tell the scan which chain heads to remember.
    List<SignedCheckpoint> valid = new ArrayList<>();
    List<String> notes = store.checkpoints();
    for (int i = 0; i < notes.size(); i++) {
      Optional<SignedCheckpoint> cp = checkedCheckpoint(run, notes.get(i), "checkpoint #" + i, i == notes.size() - 1);
      cp.ifPresent(valid::add);
    }
    List<SignedCheckpoint> anchored = new ArrayList<>();
    for (CheckpointAnchor a : anchors) {
      Optional<String> note;
      try {
        note = a.latest(origin);
      } catch (RuntimeException e) {
        run.add(FindingCode.MALFORMED_CHECKPOINT, -1, anchorName(a), "anchor could not be read: " + e.getMessage());
        continue;
      }
      if (note.isPresent()) {
        checkedCheckpoint(run, note.get(), anchorName(a), false).ifPresent(anchored::add);
      }
    }
    for (SignedCheckpoint c : valid) {
      run.sizesOfInterest.add(c.checkpoint().size());
    }
    for (SignedCheckpoint c : anchored) {
      run.sizesOfInterest.add(c.checkpoint().size());
    }

    try (Stream<StoredEvent> s = store.read(base.firstSeq())) {
      s.forEach(run::record);
    }
    while (!run.pending.isEmpty()) {
      run.gapTo(run.pending.firstKey());
      run.drain();
    }
    long size = run.expected;

    checkPrune(run, base, valid);
    long lastValid = checkAgainstLog(run, valid, size);
    checkConsistency(run, valid);
    checkAnchors(run, anchored, valid, size);

    if (lastValid < size && !keys.isEmpty()) {
      run.add(FindingCode.UNSEALED_TAIL, lastValid, "seq " + lastValid + ".." + (size - 1),
          (size - lastValid) + " event(s) after the last signed checkpoint are not yet protected against truncation");
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
    if (!run.treeValid) {
      run.notChecked.add("Merkle roots after the first gap (the tree cannot be rebuilt across missing events)");
    }
    return new VerificationReport(origin, base.firstSeq(), size, run.checked, lastValid, run.findings, run.notChecked);
  }

  private static String anchorName(CheckpointAnchor a) {
    return "anchor " + a;
  }

  private Optional<SignedCheckpoint> checkedCheckpoint(Run run, String note, String where, boolean lastInStore) {
    SignedCheckpoint cp;
    try {
      cp = SignedCheckpoint.parse(note);
    } catch (AuditFormatException e) {
      run.add(FindingCode.MALFORMED_CHECKPOINT, -1, where, e.getMessage() + (lastInStore ? " (possibly a torn write)" : ""));
      return Optional.empty();
    }
    if (!cp.checkpoint().origin().equals(origin)) {
      run.add(FindingCode.INCONSISTENT_CHECKPOINTS, -1, where, "checkpoint is for another log: " + cp.checkpoint().origin());
      return Optional.empty();
    }
    if (!keys.isEmpty() && cp.verifiedBy(keys).isEmpty()) {
      run.add(FindingCode.BAD_CHECKPOINT_SIGNATURE, -1, where, "no signature by a trusted key verifies (size " + cp.checkpoint().size() + ")");
      return Optional.empty();
    }
    return Optional.of(cp);
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

  private long checkAgainstLog(Run run, List<SignedCheckpoint> valid, long size) {
    long lastValid = 0;
    for (SignedCheckpoint sc : valid) {
      Checkpoint c = sc.checkpoint();
      String where = "checkpoint size " + c.size();
      if (c.size() > size) {
        run.add(FindingCode.TRUNCATED, size, where, "the store holds " + size + " events but its own checkpoint covers " + c.size());
        continue;
      }
      if (c.size() < run.base.firstSeq() || c.size() == 0) {
        continue;
      }
      if (!run.treeValid) {
        continue;
      }
      byte[] root = run.tree.rootAt(c.size());
      byte[] chain = run.chainAt.get(c.size());
      if (!MessageDigest.isEqual(root, c.root().toByteArray())) {
        run.add(FindingCode.MODIFIED, c.size() - 1, where, "Merkle root of events [0, " + c.size()
            + ") differs from the signed checkpoint: events were changed or replaced");
        continue;
      }
      if (chain != null && !MessageDigest.isEqual(chain, c.chainHead().toByteArray())) {
        run.add(FindingCode.MODIFIED, c.size() - 1, where, "chain head differs from the signed checkpoint");
        continue;
      }
      lastValid = Math.max(lastValid, c.size());
    }
    return lastValid;
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
        if (storeKnowsIt) {
          run.add(FindingCode.TRUNCATED, size, where, "the store holds " + size + " events; " + a.size()
              + " were anchored (newest events deleted)");
        } else {
          run.add(FindingCode.ROLLBACK, size, where, "the store holds " + size + " events and no checkpoint beyond; "
              + a.size() + " were anchored (an older copy was restored)");
        }
        continue;
      }
      if (a.size() >= run.base.firstSeq() && a.size() > 0 && run.treeValid
          && !MessageDigest.isEqual(run.tree.rootAt(a.size()), a.root().toByteArray())) {
        run.add(FindingCode.ROLLBACK, a.size() - 1, where, "the stored history diverges from the anchored checkpoint"
            + " (rolled back and regrown, or rewritten)");
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
