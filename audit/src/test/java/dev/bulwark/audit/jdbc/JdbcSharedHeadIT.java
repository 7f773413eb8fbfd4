package dev.bulwark.audit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.ChainKey;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.VerificationReport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Two writers of one PostgreSQL log take turns, so each one's store finds the head moved by the
 * other at almost every batch: a store that appends at the head it last committed must then
 * fall back to reading the head under its lock, and the log stays one linear, verifiable chain
 * with a head row that matches it.
 */
class JdbcSharedHeadIT {

  static final String ORIGIN = "shared.example/audit/jdbc";

  @Test
  void writersTakingTurns_eachFindTheHeadMoved_andTheLogStaysLinear() throws Exception {
    try (PgSchema db = PgSchema.create("audit_shared_head")) {
      DataSource ds = db.dataSource();
      CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
      ChainKey key = ChainKey.generate();
      JdbcAuditStore storeA = new JdbcAuditStore(ds, "shared");
      JdbcAuditStore storeB = new JdbcAuditStore(ds, "shared");
      int appended = 0;
      try (AuditLog a = AuditLog.builder(ORIGIN, storeA).signer(signer).chainKey(key).build();
          AuditLog b = AuditLog.builder(ORIGIN, storeB).signer(signer).chainKey(key).build()) {
        for (int round = 0; round < 40; round++) {
          AuditLog w = round % 2 == 0 ? a : b;
          // A batch of several events, then one alone: both run on a head the other writer moved.
          List<AuditEvent> batch = new ArrayList<>();
          for (int i = 0; i < 1 + round % 5; i++) {
            batch.add(event(round, i));
          }
          appended += w.appendAll(batch).size();
          w.append(event(round, 99));
          appended++;
        }
      }
      VerificationReport r = AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).chainKey(key).build().verify(storeA);
      assertTrue(r.intact(), r.summary());
      assertTrue(r.size() >= appended, "every acknowledged event is stored: " + r.size() + " < " + appended);
      assertEquals(r.size(), query(ds, "SELECT next_seq FROM bulwark_audit_log WHERE log_id = 'shared'"));
      assertEquals(r.size(), query(ds, "SELECT COUNT(*) FROM bulwark_audit_event WHERE log_id = 'shared'"));
    }
  }

  private static AuditEvent event(int round, int i) {
    return AuditEvent.builder(Action.AUTHN_LOGIN_SUCCESS, Actor.user("u-" + round, "password"))
        .detail("i", Integer.toString(i)).build(Clock.systemUTC());
  }

  private static long query(DataSource ds, String sql) throws Exception {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
