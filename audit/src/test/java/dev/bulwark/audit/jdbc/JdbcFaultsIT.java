package dev.bulwark.audit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.ChainKey;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.Producers;
import dev.bulwark.audit.VerificationReport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A failing PostgreSQL under many appending threads: the database refuses rows mid-way through a
 * multi-row INSERT (disk full) or drops the connection inside the append transaction, and
 * refuses some checkpoint inserts. Every failed append must throw and leave nothing behind (the
 * whole batch rolls back, the head row does not move), every acknowledged one is stored once,
 * and the next append continues the chain. The faults are real server-side errors raised by
 * triggers the test installs in its own schema.
 */
class JdbcFaultsIT {

  static final String ORIGIN = "faults.example/audit/jdbc";
  static final String LOG = "faulty";

  private static final String[] FAULTS = {
    "CREATE SEQUENCE it_fault_rows",
    "CREATE FUNCTION it_fault_event() RETURNS trigger LANGUAGE plpgsql AS $$"
        + " DECLARE n bigint := nextval('it_fault_rows'); BEGIN"
        + " IF n % 41 = 0 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;"
        + " IF n % 13 = 0 THEN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END IF;"
        + " RETURN NEW; END $$",
    "CREATE TRIGGER it_fault_event BEFORE INSERT ON bulwark_audit_event FOR EACH ROW EXECUTE FUNCTION it_fault_event()",
    "CREATE SEQUENCE it_fault_checkpoints",
    "CREATE FUNCTION it_fault_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        + " IF nextval('it_fault_checkpoints') % 3 = 0 THEN"
        + " RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END IF;"
        + " RETURN NEW; END $$",
    "CREATE TRIGGER it_fault_checkpoint BEFORE INSERT ON bulwark_audit_checkpoint FOR EACH ROW EXECUTE FUNCTION it_fault_checkpoint()",
  };

  private static void execute(DataSource ds, String... sql) throws Exception {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  private static long query(DataSource ds, String sql) throws Exception {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void diskFullAndDroppedConnections_midTransaction_failOnlyTheirAppends_andTheChainContinues() throws Exception {
    try (PgSchema db = PgSchema.create("audit_faults"); PgSchema anchorDb = PgSchema.create("audit_faults_anchor")) {
      DataSource ds = db.dataSource();
      CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
      ChainKey chainKey = ChainKey.generate();
      JdbcCheckpointAnchor anchor = new JdbcCheckpointAnchor(anchorDb.dataSource());
      JdbcAuditStore store = new JdbcAuditStore(ds, LOG);
      AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).chainKey(chainKey).anchor(anchor)
          .segments(150, Duration.ofDays(1)).checkpointEvery(25, Duration.ofSeconds(1)).build();

      execute(ds, FAULTS);
      Producers.Results o = Producers.appendFromThreads(log, 6, 80);
      execute(ds, "DROP TRIGGER it_fault_event ON bulwark_audit_event",
          "DROP TRIGGER it_fault_checkpoint ON bulwark_audit_checkpoint");

      long rowsTried = query(ds, "SELECT last_value FROM it_fault_rows");
      long checkpointsTried = query(ds, "SELECT last_value FROM it_fault_checkpoints");
      System.out.printf("JdbcFaultsIT: %d row inserts tried, %d checkpoint inserts tried; %d appends acknowledged, %d failed%n",
          rowsTried, checkpointsTried, o.acked().size(), o.failed().size());
      assertTrue(rowsTried >= 41 && checkpointsTried >= 3, "both kinds of fault fired");
      assertFalse(o.acked().isEmpty());
      assertTrue(o.errors().stream().anyMatch(m -> m.contains("No space left on device")), o.errors().toString());
      assertTrue(o.errors().stream().anyMatch(m -> m.contains("terminating connection") || m.contains("I/O error")),
          o.errors().toString());
      assertTrue(o.errors().stream().allMatch(m -> m.contains("No space left on device") || m.contains("terminating connection")
          || m.contains("I/O error")), "no other failure: " + o.errors());

      long size = log.size();
      assertEquals(size, log.append(AuditEvent.builder(Action.SYS_STARTUP, Actor.system("jdbc-faults-it"))
          .build(Clock.systemUTC())).seq(), "the next append continues the chain");
      log.close();

      VerificationReport r = AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).chainKey(chainKey).anchor(anchor)
          .build().verify(store);
      assertTrue(r.fullyVerified(), r.summary());
      assertEquals(size + 1, r.size());
      Producers.assertExactlyTheAcknowledged(store, o.acked(), o.failed());
      assertEquals(size + 1, query(ds, "SELECT next_seq FROM bulwark_audit_log WHERE log_id = '" + LOG + "'"),
          "the head row never moved for a failed batch");
      assertEquals(size + 1, query(ds, "SELECT COUNT(DISTINCT prev_chain) FROM bulwark_audit_event WHERE log_id = '" + LOG + "'"));
    }
  }
}
