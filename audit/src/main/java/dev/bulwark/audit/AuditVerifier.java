package dev.bulwark.audit;

import dev.bulwark.audit.internal.StoreCapabilities;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.CheckpointAnchor;
import dev.bulwark.audit.spi.PruneBase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

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
 * run in runs of 256 records on worker threads (one fewer than the processors) and on the
 * calling thread whenever it would otherwise wait; for a store that offers mapped frames (the
 * {@link FileAuditStore}) that includes the frame CRCs and decoding, and the calling thread only
 * walks frame headers. Sequencing and
 * the tree stay on the calling thread; the workers end with the call. Thread-safe (immutable);
 * each call reads the store afresh.
 *
 * <p>The work is split three ways: {@link VerifyScan} (the parallel scan), {@link Sequencer}
 * (order, gaps, forks, the tree) and {@link CheckpointChecks} (signatures, roots, anchors).
 */
public final class AuditVerifier {

  private final String origin;
  private final byte[] originUtf8;
  private final List<CheckpointKey> keys;
  private final ChainKey chainKey;
  private final List<CheckpointAnchor> anchors;
  private final long unsealedBound;
  private final VerifyScan scanner;
  private final CheckpointChecks checkpointChecks;

  /** Findings kept in full; beyond, they are counted per code. */
  static final int MAX_FINDINGS = FindingList.MAX_FINDINGS;

  private AuditVerifier(Builder b) {
    this.origin = b.origin;
    this.originUtf8 = b.origin.getBytes(StandardCharsets.UTF_8);
    this.keys = List.copyOf(b.keys);
    this.chainKey = b.chainKey;
    this.anchors = List.copyOf(b.anchors);
    this.unsealedBound = AuditLog.unsealedBound(b.checkpointEveryEvents, b.maxBatch);
    this.scanner = new VerifyScan(originUtf8, chainKey);
    this.checkpointChecks = new CheckpointChecks(origin, keys);
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
    Sequencer run = new Sequencer(base, originUtf8);
    VerifyWorkers workers = new VerifyWorkers();
    try {
      // Checkpoint signatures (Ed25519 verification is slow) are checked while the events are scanned.
      List<String> notes = store.checkpoints();
      List<Future<Object>> checks = new ArrayList<>();
      for (int i = 0; i < notes.size(); i++) {
        String note = notes.get(i);
        String where = "checkpoint #" + i;
        boolean last = i == notes.size() - 1;
        checks.add(workers.submit(notes.size() > 4, () -> checkpointChecks.checkedCheckpoint(note, where, last)));
      }
      List<Future<Object>> anchorChecks = new ArrayList<>();
      for (CheckpointAnchor a : anchors) {
        Optional<String> note;
        try {
          note = a.latest(origin);
        } catch (RuntimeException e) {
          anchorChecks.add(CompletableFuture.completedFuture(
              new Finding(FindingCode.MALFORMED_CHECKPOINT, -1, CheckpointChecks.anchorName(a), "anchor could not be read: " + e.getMessage())));
          continue;
        }
        if (note.isPresent()) {
          String text = note.get();
          anchorChecks.add(workers.submit(false, () -> checkpointChecks.checkedCheckpoint(text, CheckpointChecks.anchorName(a), false)));
        }
      }
      // Every parsable checkpoint's size: the scan remembers the chain head there.
      List<Long> sizes = new ArrayList<>();
      for (String note : notes) {
        CheckpointChecks.sizeOf(note, sizes);
      }
      for (Future<Object> f : anchorChecks) {
        Object o = workers.join(f);
        if (o instanceof SignedCheckpoint) {
          sizes.add(((SignedCheckpoint) o).checkpoint().size());
        }
      }
      run.sizesOfInterest = sizes.stream().mapToLong(Long::longValue).sorted().distinct().toArray();

      scanner.scan(store, base, run, workers);
      run.finish();

      List<SignedCheckpoint> valid = CheckpointChecks.collect(run, checks, workers);
      List<SignedCheckpoint> anchored = CheckpointChecks.collect(run, anchorChecks, workers);
      long size = run.expected;

      checkpointChecks.checkPrune(run, base, valid);
      long lastValid = checkpointChecks.checkAgainstLog(run, valid, size);
      checkpointChecks.checkConsistency(run, valid);
      checkpointChecks.checkAnchors(run, anchored, valid, size);

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
}
