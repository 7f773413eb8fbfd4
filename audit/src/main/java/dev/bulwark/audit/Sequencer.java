package dev.bulwark.audit;

import dev.bulwark.audit.internal.Hashes;
import dev.bulwark.audit.internal.MerkleTree;
import dev.bulwark.audit.spi.PruneBase;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.common.Bytes;
import dev.bulwark.common.internal.ByteAccess;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sequential part of a verification: puts records in sequence order, checks each chain
 * link against the event actually before it, rebuilds the Merkle tree, and turns what it sees
 * into findings. One problem gives one finding: a damaged frame is reported once for the
 * events it held, a deleted event as one gap, moved events as the fewest events that explain
 * the stored order, and runs of events with the same problem as one finding with a range.
 * Runs on the verifying thread only.
 */
final class Sequencer {

  private static final int REORDER_WINDOW = 4096;
  /** Gaps and unreadable frames remembered for attributing later records. */
  private static final int MAX_TRACKED = 100_000;

  /** An unreadable frame: its finding and the readable records stored around it. */
  static final class Damage {
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

  final List<Finding> early = new ArrayList<>();
  final FindingList findings = new FindingList();
  final List<String> notChecked = new ArrayList<>();
  final PruneBase base;
  final MerkleTree tree;
  final Hashes.Hasher hasher;
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
  final TreeMap<Long, VerifyScan.Rec> pending = new TreeMap<>();
  /** Records that arrived while some were waiting for a predecessor (a reordering episode). */
  final List<VerifyScan.Rec> episode = new ArrayList<>();
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
  /** Checkpoint sizes (sorted, distinct) at which the scan keeps the chain head. */
  long[] sizesOfInterest = new long[0];
  /** Where the last look-up in sizesOfInterest ended: the next size at or above it. */
  private int interestAt;
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

  Sequencer(PruneBase base, byte[] originUtf8) {
    this.base = base;
    this.hasher = new Hashes.Hasher(originUtf8);
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

  void record(VerifyScan.Rec r) {
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
      VerifyScan.Rec old = pending.putIfAbsent(seq, r);
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
  private void late(VerifyScan.Rec r) {
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

  private String filed(VerifyScan.Rec r) {
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
    for (VerifyScan.Rec r : episode) {
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
        VerifyScan.Rec r = episode.get(i);
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

  void accept(VerifyScan.Rec r) {
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
    byte[] stored = ByteAccess.array(s.chainHash());
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
      case VerifyScan.MAC_BAD:
        problems = problem(problems, "MAC does not verify: event forged or edited without the chain key");
        break;
      case VerifyScan.MAC_MISSING:
        problems = problem(problems, "event has no MAC but the log is keyed");
        break;
      case VerifyScan.MAC_UNCHECKED:
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
    if (problems == null && isSizeOfInterest(seq + 1)) {
      // (The chain hash of an event already reported would only repeat that finding.)
      chainAt.put(seq + 1, stored);
    }
    if (Action.AUDIT_LOG_RECOVERED.name().equals(r.action) || Action.AUDIT_LOG_PRUNED.name().equals(r.action)) {
      special(r);
    }
    acceptedAny = true;
    expected = seq + 1;
  }

  /**
   * Whether {@code size} is in {@link #sizesOfInterest}. Events are accepted in ascending order,
   * so the answer is nearly always at the place the previous look-up ended; elsewhere a binary
   * search decides.
   */
  private boolean isSizeOfInterest(long size) {
    long[] s = sizesOfInterest;
    int i = interestAt;
    if (i < s.length && s[i] == size) {
      interestAt = i + 1;
      return true;
    }
    if ((i == s.length || s[i] > size) && (i == 0 || s[i - 1] < size)) {
      return false; // strictly between two neighbouring sizes (or beyond an end)
    }
    int k = Arrays.binarySearch(s, size);
    interestAt = k >= 0 ? k + 1 : -k - 1;
    return k >= 0;
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
  private void special(VerifyScan.Rec r) {
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
