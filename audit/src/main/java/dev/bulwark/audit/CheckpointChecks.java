package dev.bulwark.audit;

import dev.bulwark.audit.internal.MerkleTree;
import dev.bulwark.audit.spi.CheckpointAnchor;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.common.Bytes;
import dev.bulwark.common.internal.ByteAccess;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * The checkpoint checks of {@link AuditVerifier}: each stored or anchored checkpoint parses, is
 * for this log and is signed by a trusted key; the signed checkpoints agree with the rebuilt
 * Merkle tree and chain, with each other (no split view, minindex never goes back) and with the
 * anchors (truncation, rollback); a prune base matches the signed receipt in the log.
 */
final class CheckpointChecks {

  private final String origin;
  private final List<CheckpointKey> keys;

  CheckpointChecks(String origin, List<CheckpointKey> keys) {
    this.origin = origin;
    this.keys = List.copyOf(keys);
  }

  /** The checkpoint if it parses, is for this log and (with keys) is signed by one; else its finding. */
  Object checkedCheckpoint(String note, String where, boolean lastInStore) {
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


  void checkPrune(Sequencer run, PruneBase base, List<SignedCheckpoint> valid) {
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
      boolean rootOk = ByteAccess.wrap(rangeRoot).base64().equals(d.get("root_at_cut"));
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
  long checkAgainstLog(Sequencer run, List<SignedCheckpoint> valid, long size) {
    long lastValid = 0;
    List<SignedCheckpoint> bySize = new ArrayList<>(valid);
    bySize.sort(Comparator.comparingLong(c -> c.checkpoint().size()));
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
  private static boolean absorbTruncation(Sequencer run, long checkpointSize, long size) {
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


  void checkConsistency(Sequencer run, List<SignedCheckpoint> valid) {
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


  void checkAnchors(Sequencer run, List<SignedCheckpoint> anchored, List<SignedCheckpoint> valid, long size) {
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


  static void sizeOf(String note, List<Long> sizes) {
    try {
      sizes.add(SignedCheckpoint.parse(note).checkpoint().size());
    } catch (AuditFormatException e) {
      // reported with the signature checks
    }
  }


  static List<SignedCheckpoint> collect(Sequencer run, List<Future<Object>> checks, VerifyWorkers workers) {
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


  static String anchorName(CheckpointAnchor a) {
    return "anchor " + a;
  }
}
