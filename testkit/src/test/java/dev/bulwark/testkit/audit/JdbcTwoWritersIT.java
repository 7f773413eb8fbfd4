package dev.bulwark.testkit.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.VerificationReport;
import dev.bulwark.audit.jdbc.JdbcAuditStore;
import dev.bulwark.audit.jdbc.JdbcCheckpointAnchor;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Two independent writers (two data sources, two AuditLog instances: two "nodes") on one PostgreSQL log. */
class JdbcTwoWritersIT {

  @Test
  void twoNodesAppendingAtOnce_produceOneLinearChain_withNoFork() throws Exception {
    try (PostgresSchema db = PostgresSchema.create("audit2w")) {
      String origin = "nodes.example/audit";
      CheckpointSigner signer = CheckpointSigner.generate(origin);
      FakeClock clock = FakeClock.atDefaultEpoch();
      JdbcCheckpointAnchor anchor = new JdbcCheckpointAnchor(db.dataSource());
      JdbcAuditStore s1 = new JdbcAuditStore(db.dataSource(), "shared");
      JdbcAuditStore s2 = new JdbcAuditStore(db.dataSource(), "shared");
      AuditLog n1 = AuditLog.builder(origin, s1).clock(clock).signer(signer).anchor(anchor).build();
      AuditLog n2 = AuditLog.builder(origin, s2).clock(clock).signer(signer).anchor(anchor).build();
      Set<Long> acked = ConcurrentHashMap.newKeySet();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        AuditLog node = t % 2 == 0 ? n1 : n2;
        int thread = t;
        fs.add(pool.submit(() -> {
          for (int i = 0; i < 100; i++) {
            acked.add(node.append(AuditEvent.builder(Action.SENSITIVE_READ, Actor.service("node-" + thread))
                .detail("i", Integer.toString(i)).build(clock)).seq());
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      pool.shutdown();
      n1.close();
      n2.close();
      assertEquals(800, acked.size());
      VerificationReport r = AuditVerifier.builder(origin).trust(signer.publicKey()).anchor(anchor).build().verify(s1);
      assertTrue(r.intact(), r.summary());
      assertEquals(800, r.size());
      try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT prev_chain), MIN(seq), MAX(seq) FROM bulwark_audit_event")) {
        rs.next();
        assertEquals(800, rs.getLong(1));
        assertEquals(800, rs.getLong(2), "no two events share a predecessor: no fork");
        assertEquals(0, rs.getLong(3));
        assertEquals(799, rs.getLong(4));
      }
      Set<Long> expected = new HashSet<>();
      for (long i = 0; i < 800; i++) {
        expected.add(i);
      }
      assertEquals(expected, acked);
    }
  }
}
