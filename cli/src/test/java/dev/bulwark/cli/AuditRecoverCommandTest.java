package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.CanonicalEncoding;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.FileAuditStore;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.spi.StoredEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditRecoverCommandTest {

  static final String ORIGIN = "test.example/recover";

  @TempDir
  Path tmp;

  @Test
  void deletedCheckpoints_refuseTheWriter_untilRecoverLogsTheOperatorsAcceptance() throws Exception {
    KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    CheckpointSigner signer = CheckpointSigner.of(ORIGIN, kp);
    Path key = tmp.resolve("audit.p8");
    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(kp.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    Path dir = tmp.resolve("log");
    try (FileAuditStore store = FileAuditStore.open(dir);
         AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).clock(() -> Cli.NOW).build()) {
      for (int i = 0; i < 12; i++) {
        log.append(AuditEvent.builder(Action.AUTHN_LOGIN_SUCCESS, Actor.user("u" + i, "password")).build(() -> Cli.NOW));
      }
    }
    Files.delete(dir.resolve("checkpoints.log"));
    String vkey = signer.publicKey().vkey();

    Cli.Result broken = Cli.run("audit", "verify", dir.toString(), "--public-key", vkey);
    assertEquals(ExitCode.FINDINGS, broken.code(), broken.all());
    assertTrue(broken.out().contains("CHECKPOINTS_MISSING"), broken.out());

    Cli.Result noReason = Cli.run("audit", "recover", dir.toString(), "--public-key", vkey,
        "--signing-key-file", key.toString(), "--operator", "alice");
    assertEquals(ExitCode.USAGE, noReason.code(), noReason.all());

    Cli.Result r = Cli.run("audit", "recover", dir.toString(), "--public-key", vkey,
        "--signing-key-file", key.toString(), "--operator", "alice", "--reason", "ticket 4711: checkpoints lost");
    assertEquals(ExitCode.OK, r.code(), r.all());
    assertTrue(r.out().contains("accepted events 0..12"), r.out());

    Cli.Result after = Cli.run("audit", "verify", dir.toString(), "--public-key", vkey);
    assertEquals(ExitCode.OK, after.code(), after.all());
    assertTrue(after.out().contains("HISTORY_ACCEPTED") && after.out().contains("alice"), after.out());

    List<LoggedEvent> events;
    try (FileAuditStore ro = FileAuditStore.openReadOnly(dir); Stream<StoredEvent> s = ro.read(0)) {
      events = s.filter(e -> !e.isDamaged()).map(e -> {
        try {
          return CanonicalEncoding.decode(e.payload());
        } catch (Exception ex) {
          throw new IllegalStateException(ex);
        }
      }).collect(Collectors.toList());
    }
    LoggedEvent accepted = events.get(12);
    assertEquals(Action.AUDIT_LOG_RECOVERED, accepted.event().action());
    assertEquals("alice", accepted.event().actor().id());
    assertEquals("12", accepted.event().details().get("accepted_to"));

    Cli.Result again = Cli.run("audit", "recover", dir.toString(), "--public-key", vkey,
        "--signing-key-file", key.toString(), "--operator", "alice", "--reason", "again");
    assertEquals(ExitCode.OK, again.code(), again.all());
    assertTrue(again.out().contains("nothing to recover"), again.out());
  }
}
