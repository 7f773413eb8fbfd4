package dev.bulwark.audit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.ActorType;
import dev.bulwark.audit.AuditFormatException;
import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.CanonicalEncoding;
import dev.bulwark.audit.ChildKeys;
import dev.bulwark.audit.ChildProcess;
import dev.bulwark.audit.ChildProcess.Ack;
import dev.bulwark.audit.FindingCode;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.VerificationReport;
import dev.bulwark.audit.spi.StoredEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several JVMs (separate processes, separate connection sets, one shared key pair, like nodes of
 * one service) append to the same PostgreSQL log at once, each from several threads. The log must
 * stay one linear chain: no fork, no gap, every acknowledged event present exactly once and where
 * its node was told it is, and it must verify with the public key, the chain key and the anchor.
 * A node killed with kill -9 mid-run must not block or fork the others.
 */
class JdbcMultiProcessIT {

  static final String ORIGIN = "nodes.example/audit";
  static final String LOG = "shared";
  static final long TIMEOUT_SECONDS = 300;

  @TempDir Path tmp;

  private ChildProcess start(PgSchema db, String name, int threads, int perThread, long segmentEvents) {
    List<String> args = new ArrayList<>(db.childArgs());
    args.addAll(List.of(LOG, ORIGIN, tmp.resolve("keys").toString(), name, Integer.toString(threads),
        Integer.toString(perThread), Long.toString(segmentEvents)));
    return ChildProcess.start(name, JdbcAppendChild.class, args);
  }

  @Test
  void threeJvmsAppendingAtOnce_produceOneLinearChain_withEveryAcknowledgedEventExactlyOnce() throws Exception {
    try (PgSchema db = PgSchema.create("audit_jvms")) {
      ChildKeys keys = ChildKeys.create(tmp.resolve("keys"));
      List<ChildProcess> nodes = new ArrayList<>();
      try {
        // Small segments: the nodes also race each other sealing segments and signing checkpoints.
        for (String name : List.of("a", "b", "c")) {
          nodes.add(start(db, name, 4, 0, 150));
        }
        for (ChildProcess n : nodes) {
          assertTrue(n.awaitReady(TIMEOUT_SECONDS) >= 0, n + " died while opening the log");
        }
        for (ChildProcess n : nodes) {
          n.send("GO");
        }
        // Nodes append until STOP, which comes only once every node has 150 acknowledged appends:
        // all three were appending at the same time for a while, whatever the machine's load.
        for (ChildProcess n : nodes) {
          n.awaitAcks(150, TIMEOUT_SECONDS);
        }
        for (ChildProcess n : nodes) {
          n.send("STOP");
        }
        for (ChildProcess n : nodes) {
          n.awaitDone(TIMEOUT_SECONDS);
          assertEquals(List.of(), n.failures(), n + " had failed appends");
        }
      } finally {
        for (ChildProcess n : nodes) {
          n.close();
        }
      }
      long size = assertOneLinearChain(db, keys, nodes);
      int acked = nodes.stream().mapToInt(ChildProcess::ackCount).sum();
      assertEquals(acked, size, "the log holds exactly the acknowledged events: nothing lost, nothing extra");
    }
  }

  @Test
  void aJvmKilledMidRun_leavesNoForkOrGap_andTheOthersAndANewcomerContinueTheChain() throws Exception {
    try (PgSchema db = PgSchema.create("audit_kill")) {
      ChildKeys keys = ChildKeys.create(tmp.resolve("keys"));
      List<ChildProcess> nodes = new ArrayList<>();
      try {
        for (String name : List.of("a", "b", "c")) {
          nodes.add(start(db, name, 4, 0, 1_000_000));
        }
        for (ChildProcess n : nodes) {
          assertTrue(n.awaitReady(TIMEOUT_SECONDS) >= 0, n + " died while opening the log");
        }
        for (ChildProcess n : nodes) {
          n.send("GO");
        }
        for (ChildProcess n : nodes) {
          n.awaitAcks(40, TIMEOUT_SECONDS);
        }
        // kill -9 while all three append: the victim is likely inside an append transaction
        // holding the head row lock; PostgreSQL must roll it back when the connection drops.
        ChildProcess victim = nodes.get(0);
        victim.kill();
        ChildProcess b = nodes.get(1);
        ChildProcess c = nodes.get(2);
        int bAtKill = b.ackCount();
        int cAtKill = c.ackCount();
        // A new node opens the log while b and c keep appending: it catches up and joins the chain.
        ChildProcess d = start(db, "d", 4, 0, 1_000_000);
        nodes.add(d);
        assertTrue(d.awaitReady(TIMEOUT_SECONDS) >= victim.ackCount(), "the newcomer sees every acknowledged event");
        d.send("GO");
        b.awaitAcks(bAtKill + 40, TIMEOUT_SECONDS);
        c.awaitAcks(cAtKill + 40, TIMEOUT_SECONDS);
        d.awaitAcks(40, TIMEOUT_SECONDS);
        for (ChildProcess n : List.of(b, c, d)) {
          n.send("STOP");
        }
        for (ChildProcess n : List.of(b, c, d)) {
          n.awaitDone(TIMEOUT_SECONDS);
          assertEquals(List.of(), n.failures(), n + " had failed appends");
        }
      } finally {
        for (ChildProcess n : nodes) {
          n.close();
        }
      }
      long size = assertOneLinearChain(db, keys, nodes);
      int acked = nodes.stream().mapToInt(ChildProcess::ackCount).sum();
      assertTrue(size >= acked, "size " + size + " < acknowledged " + acked);
    }
  }

  /**
   * Verifies the shared log and checks every acknowledgement against it; returns the log size.
   * Events a killed node committed but could not report are allowed; duplicates and gaps are not.
   */
  private static long assertOneLinearChain(PgSchema db, ChildKeys keys, List<ChildProcess> nodes) throws Exception {
    DataSource ds = db.dataSource();
    JdbcAuditStore store = new JdbcAuditStore(ds, LOG, false);
    VerificationReport r = AuditVerifier.builder(ORIGIN).trust(keys.publicKey(ORIGIN)).chainKey(keys.chainKey())
        .anchor(new JdbcCheckpointAnchor(ds)).build().verify(store);
    assertTrue(r.fullyVerified(), r.summary());
    for (FindingCode bad : List.of(FindingCode.FORK, FindingCode.SEQUENCE_GAP, FindingCode.REORDERED, FindingCode.TRUNCATED,
        FindingCode.ROLLBACK, FindingCode.TORN_TAIL, FindingCode.UNSEALED_TAIL)) {
      assertFalse(r.has(bad), r.summary());
    }

    Map<Long, LoggedEvent> bySeq = new TreeMap<>();
    Map<String, Long> seqByAppend = new HashMap<>();
    long expect = 0;
    try (Stream<StoredEvent> s = store.read(0)) {
      for (StoredEvent e : (Iterable<StoredEvent>) s::iterator) {
        assertFalse(e.isDamaged(), e.damage());
        assertEquals(expect++, e.seq(), "rows come back in sequence order without holes");
        LoggedEvent le = decode(e);
        bySeq.put(le.seq(), le);
        if (le.event().actor().type() == ActorType.SERVICE) {
          String append = le.event().actor().id() + "#" + le.event().details().get("i");
          assertNull(seqByAppend.put(append, le.seq()), "append " + append + " is in the log twice");
        }
      }
    }
    assertEquals(r.size(), bySeq.size());
    int switches = 0;
    String previousNode = null;
    for (LoggedEvent le : bySeq.values()) {
      String node = le.event().actor().id().split("-t")[0];
      switches += previousNode != null && !previousNode.equals(node) ? 1 : 0;
      previousNode = node;
    }
    assertTrue(switches >= nodes.size(),
        "nodes appended at the same time, so their events interleave (" + switches + " switches)");

    Set<Long> ackedSeqs = new HashSet<>();
    for (ChildProcess n : nodes) {
      Map<Integer, Long> lastSeqOfThread = new HashMap<>();
      for (Ack a : n.acks()) {
        assertTrue(ackedSeqs.add(a.seq()), "seq " + a.seq() + " was acknowledged to two appends");
        LoggedEvent le = bySeq.get(a.seq());
        assertNotNull(le, n + ": acknowledged seq " + a.seq() + " is missing");
        assertEquals(n.name() + "-t" + a.thread(), le.event().actor().id(), "seq " + a.seq() + " holds another event");
        assertEquals(Integer.toString(a.i()), le.event().details().get("i"), "seq " + a.seq() + " holds another event");
        Long before = lastSeqOfThread.put(a.thread(), a.seq());
        assertTrue(before == null || before < a.seq(), "one thread's appends are in the chain in the order they were made");
      }
    }

    try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(
        "SELECT COUNT(*), COUNT(DISTINCT prev_chain), COUNT(DISTINCT chain_hash), MIN(seq), MAX(seq)"
            + " FROM bulwark_audit_event WHERE log_id = ?")) {
      p.setString(1, LOG);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        long rows = rs.getLong(1);
        assertEquals(bySeq.size(), rows);
        assertEquals(rows, rs.getLong(2), "no two events share a predecessor: no fork");
        assertEquals(rows, rs.getLong(3));
        assertEquals(0, rs.getLong(4));
        assertEquals(rows - 1, rs.getLong(5));
      }
    }
    try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(
        "SELECT next_seq FROM bulwark_audit_log WHERE log_id = ?")) {
      p.setString(1, LOG);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        assertEquals(bySeq.size(), rs.getLong(1), "the head row agrees with the rows");
      }
    }
    System.out.printf("JdbcMultiProcessIT: %d events, %d acknowledged by %d nodes, %d node switches, %d checkpoints,"
        + " %d segments%n", bySeq.size(), ackedSeqs.size(), nodes.size(), switches, store.checkpoints().size(),
        store.segments().size());
    return bySeq.size();
  }

  private static LoggedEvent decode(StoredEvent e) {
    try {
      return CanonicalEncoding.decode(e.payload());
    } catch (AuditFormatException ex) {
      throw new AssertionError("undecodable event at " + e.location(), ex);
    }
  }
}
