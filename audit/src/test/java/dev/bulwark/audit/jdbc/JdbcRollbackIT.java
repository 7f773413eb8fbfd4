package dev.bulwark.audit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditException;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.ChainKey;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.FindingCode;
import dev.bulwark.audit.VerificationReport;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Rolling a PostgreSQL log back to an older snapshot the way a database restore does it: every
 * table of the log (events, checkpoints, head row, segments) goes back to the snapshot, and the
 * application starts again. The checkpoint anchored in another database must expose it, the
 * restarted writer must refuse to build on it, and regrowing the copy past the anchored size must
 * not hide it.
 */
class JdbcRollbackIT {

  static final String ORIGIN = "rollback.example/audit/jdbc";
  static final String LOG = "restored";
  static final List<String> TABLES =
      List.of("bulwark_audit_log", "bulwark_audit_event", "bulwark_audit_checkpoint", "bulwark_audit_segment");

  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  final ChainKey chainKey = ChainKey.generate();

  private static void execute(DataSource ds, List<String> sql) throws Exception {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        for (String q : sql) {
          s.execute(q);
        }
      }
      c.commit();
    }
  }

  private void append(JdbcAuditStore store, JdbcCheckpointAnchor anchor, int n) {
    AuditLog.Builder b = AuditLog.builder(ORIGIN, store).signer(signer).chainKey(chainKey).segments(15, Duration.ofDays(1));
    if (anchor != null) {
      b.anchor(anchor);
    }
    try (AuditLog log = b.build()) {
      for (int i = 0; i < n; i++) {
        log.append(AuditEvent.builder(Action.SENSITIVE_UPDATE, Actor.service("app")).detail("i", Integer.toString(i))
            .build(Clock.systemUTC()));
      }
    }
  }

  private VerificationReport verify(JdbcAuditStore store, JdbcCheckpointAnchor anchor) {
    AuditVerifier.Builder v = AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).chainKey(chainKey);
    if (anchor != null) {
      v.anchor(anchor);
    }
    return v.build().verify(store);
  }

  @Test
  void restoringAnOlderSnapshotOfTheTables_isCaughtByTheAnchor_andNeitherARestartNorRegrowthHidesIt() throws Exception {
    try (PgSchema db = PgSchema.create("audit_restore"); PgSchema anchorDb = PgSchema.create("audit_restore_anchor")) {
      DataSource ds = db.dataSource();
      JdbcAuditStore store = new JdbcAuditStore(ds, LOG);
      JdbcCheckpointAnchor anchor = new JdbcCheckpointAnchor(anchorDb.dataSource());
      append(store, anchor, 40);
      execute(ds, TABLES.stream().map(t -> "CREATE TABLE snapshot_" + t + " AS SELECT * FROM " + t).toList());
      append(store, anchor, 30);
      assertTrue(verify(store, anchor).fullyVerified(), verify(store, anchor).summary());

      execute(ds, TABLES.stream().flatMap(t -> Stream.of("DELETE FROM " + t,
          "INSERT INTO " + t + (t.equals("bulwark_audit_checkpoint") ? " OVERRIDING SYSTEM VALUE" : "")
              + " SELECT * FROM snapshot_" + t)).toList());

      VerificationReport r = verify(store, anchor);
      assertFalse(r.intact(), r.summary());
      assertTrue(r.has(FindingCode.ROLLBACK), r.summary());
      assertEquals(40, r.size());
      VerificationReport blind = verify(store, null);
      assertTrue(blind.intact(), "without the anchor the snapshot looks fine: " + blind.summary());
      assertTrue(blind.notChecked().stream().anyMatch(n -> n.contains("rollback")), blind.summary());

      // The application restarts on the restored database.
      AuditException refused = assertThrows(AuditException.class, () -> append(new JdbcAuditStore(ds, LOG), anchor, 1));
      assertTrue(refused.getMessage().contains("anchored"), refused.getMessage());
      assertEquals(40, store.head().nextSeq(), "the refused writer changed nothing");

      // A writer without the anchor grows the restored copy past the anchored size.
      append(new JdbcAuditStore(ds, LOG), null, 50);
      VerificationReport regrown = verify(store, anchor);
      assertFalse(regrown.intact(), regrown.summary());
      assertTrue(regrown.has(FindingCode.ROLLBACK), "the stored history diverges from the anchored one: " + regrown.summary());
    }
  }
}
