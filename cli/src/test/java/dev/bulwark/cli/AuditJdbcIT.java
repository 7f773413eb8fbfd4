package dev.bulwark.cli;

import static dev.bulwark.cli.KeyFixture.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.jdbc.JdbcAuditStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditJdbcIT {

  @TempDir
  Path tmp;

  @Test
  void verifyTailAndProof_onAPostgresLog_andATamperedRowIsFound() throws Exception {
    try (PgSchema pg = new PgSchema()) {
      AuditFixture fx = new AuditFixture();
      try (JdbcAuditStore store = new JdbcAuditStore(pg.dataSource(), "app", true)) {
        fx.fill(store, 20);
      }
      String[] db = concat(pg.cliArgs(), "--log", "app");

      Cli.Result ok = Cli.run(concat(concat(new String[] {"audit", "verify"}, db), "--public-key", fx.vkey()));
      assertEquals(ExitCode.OK, ok.code(), ok.all());
      assertTrue(ok.out().contains("INTACT, events [0, 20)"), ok.out());

      Cli.Result tail = Cli.run(concat(concat(new String[] {"audit", "tail"}, db), "-n", "2"));
      assertEquals(ExitCode.OK, tail.code(), tail.all());
      assertEquals(2, tail.out().lines().count(), tail.out());
      assertTrue(tail.out().startsWith("18 "), tail.out());

      Path proof = tmp.resolve("p.proof");
      Cli.Result exp = Cli.run(concat(concat(new String[] {"audit", "proof", "export"}, db), "--seq", "7",
          "--public-key", fx.vkey(), "-o", proof.toString()));
      assertEquals(ExitCode.OK, exp.code(), exp.all());
      Cli.Result ver = Cli.run("audit", "proof", "verify", proof.toString(), "--public-key", fx.vkey());
      assertEquals(ExitCode.OK, ver.code(), ver.all());

      pg.execInSchema("UPDATE bulwark_audit_event SET payload = set_byte(payload, 12, get_byte(payload, 12) # 1)"
          + " WHERE log_id = 'app' AND seq = 5");
      Cli.Result bad = Cli.run(concat(concat(new String[] {"audit", "verify"}, db), "--public-key", fx.vkey(), "--json"));
      assertEquals(ExitCode.FINDINGS, bad.code(), bad.all());
      assertTrue(bad.out().contains("\"code\" : \"MODIFIED\""), bad.out());
    }
  }

  @Test
  void unknownLog_orMissingTables_isAConfigError() throws Exception {
    try (PgSchema pg = new PgSchema()) {
      Cli.Result r = Cli.run(concat(concat(new String[] {"audit", "verify"}, pg.cliArgs()), "--origin", "x"));
      assertEquals(ExitCode.IO_OR_CONFIG, r.code(), r.all());
      assertTrue(r.err().startsWith("bulwark: "), r.err());
    }
  }
}
