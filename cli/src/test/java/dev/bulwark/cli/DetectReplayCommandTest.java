package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.FileAuditStore;
import dev.bulwark.audit.Outcome;
import dev.bulwark.audit.Source;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectReplayCommandTest {

  @TempDir
  Path tmp;

  @Test
  void replay_findsTheBruteForceAndSprayingInAStoredLog() {
    Path dir = tmp.resolve("log");
    Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
    try (FileAuditStore store = FileAuditStore.open(dir);
         AuditLog log = AuditLog.builder(AuditFixture.ORIGIN, store).clock(() -> t0).build()) {
      for (int i = 0; i < 12; i++) { // brute force on one account
        log.append(AuditEvent.builder(Action.AUTHN_LOGIN_FAIL, Actor.user("victim", "password"))
            .outcome(Outcome.FAILURE).occurredAt(t0.plusSeconds(i)).source(new Source("203.0.113.5", "curl/8.5.0", null, null))
            .build(() -> t0));
      }
      for (int i = 0; i < 9; i++) { // spraying from one address
        log.append(AuditEvent.builder(Action.AUTHN_LOGIN_FAIL, Actor.user("user-" + i, "password"))
            .outcome(Outcome.FAILURE).occurredAt(t0.plusSeconds(100 + i)).source(new Source("198.51.100.9", null, null, null))
            .build(() -> t0));
      }
      log.append(AuditEvent.builder(Action.SENSITIVE_READ, Actor.user("someone", "password")).build(() -> t0));
    }
    Cli.Result r = Cli.run("detect", "replay", dir.toString(), "--min-level", "medium");
    assertEquals(ExitCode.FINDINGS, r.code(), r.all());
    assertTrue(r.out().contains("account=victim source=203.0.113.5 [account_failure_velocity"), r.out());
    assertTrue(r.out().contains("[source_distinct_accounts: accounts=8"), r.out());
    assertTrue(r.out().contains("replayed 21 security events of 22 audit events"), r.out());

    Cli.Result quiet = Cli.run("detect", "replay", dir.toString(), "--min-level", "high");
    assertTrue(quiet.out().contains("at HIGH or above"), quiet.out());
  }

  @Test
  void replay_ofACleanLog_exitsZero() {
    Path dir = new AuditFixture().fileLog(tmp.resolve("clean"), 6);
    Cli.Result r = Cli.run("detect", "replay", dir.toString(), "--min-level", "medium");
    assertEquals(ExitCode.OK, r.code(), r.all());
  }
}
