package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.ChainKey;
import dev.bulwark.audit.FileAuditStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditVerifyCommandTest {

  @TempDir
  Path tmp;

  final AuditFixture fx = new AuditFixture();

  @Test
  void intactLog_exitsZero_andSaysIntact() {
    Path dir = fx.fileLog(tmp.resolve("log"), 25);
    Cli.Result r = Cli.run("audit", "verify", dir.toString(), "--public-key", fx.vkey());
    assertEquals(ExitCode.OK, r.code(), r.all());
    assertTrue(r.out().contains("INTACT") && !r.out().contains("NOT INTACT"), r.out());
    assertTrue(r.out().contains("events [0, 25)"), r.out());
  }

  @Test
  void flippedByteInASegment_exitsOne_withModifiedFinding() throws Exception {
    Path dir = fx.fileLog(tmp.resolve("log"), 25);
    Path seg = AuditFixture.firstSegment(dir);
    AuditFixture.flip(seg, Files.size(seg) / 3, 0x01);
    Cli.Result r = Cli.run("audit", "verify", dir.toString(), "--public-key", fx.vkey());
    assertEquals(ExitCode.FINDINGS, r.code(), r.all());
    assertTrue(r.out().contains("NOT INTACT"), r.out());
    assertTrue(r.out().contains("ERROR MODIFIED"), r.out());
    assertFalse(r.all().contains("Exception"), r.all());
  }

  @Test
  void json_isParseable_andListsFindingsWithCodes() throws Exception {
    Path dir = fx.fileLog(tmp.resolve("log"), 25);
    Cli.Result ok = Cli.run("audit", "verify", dir.toString(), "--public-key", fx.vkey(), "--json");
    assertEquals(ExitCode.OK, ok.code(), ok.all());
    JsonNode good = new ObjectMapper().readTree(ok.out());
    assertTrue(good.get("intact").asBoolean());
    assertEquals(AuditFixture.ORIGIN, good.get("origin").asText());
    assertEquals(25, good.get("size").asLong());
    assertEquals(25, good.get("lastCheckpointSize").asLong());
    for (JsonNode f : good.get("findings")) {
      assertFalse(f.get("level").asText().equals("ERROR"), f.toString());
    }
    assertTrue(good.get("notChecked").size() > 0, "no anchor was given, so truncation is reported as not checked");

    Path seg = AuditFixture.firstSegment(dir);
    AuditFixture.flip(seg, Files.size(seg) / 2, 0x80);
    Cli.Result bad = Cli.run("audit", "verify", dir.toString(), "--public-key", fx.vkey(), "--json");
    assertEquals(ExitCode.FINDINGS, bad.code(), bad.all());
    JsonNode tampered = new ObjectMapper().readTree(bad.out());
    assertFalse(tampered.get("intact").asBoolean());
    boolean modified = false;
    for (JsonNode f : tampered.get("findings")) {
      modified |= f.get("code").asText().equals("MODIFIED") && f.get("level").asText().equals("ERROR")
          && f.get("seq").isIntegralNumber() && !f.get("location").asText().isEmpty();
    }
    assertTrue(modified, bad.out());
  }

  @Test
  void originIsTakenFromTheStoredCheckpoints_whenNoKeyIsGiven() {
    Path dir = fx.fileLog(tmp.resolve("log"), 3);
    Cli.Result r = Cli.run("audit", "verify", dir.toString());
    assertEquals(ExitCode.OK, r.code(), r.all());
    assertTrue(r.out().startsWith(AuditFixture.ORIGIN + ": INTACT"), r.out());
    assertTrue(r.out().contains("NOT CHECKED: checkpoint signatures"), r.out());
  }

  @Test
  void strict_failsWhenSomethingWasNotChecked() {
    Path dir = fx.fileLog(tmp.resolve("log"), 3);
    Cli.Result r = Cli.run("audit", "verify", dir.toString(), "--public-key", fx.vkey(), "--strict");
    assertEquals(ExitCode.FINDINGS, r.code(), r.all());
  }

  @Test
  void wrongPublicKey_isABadSignatureFinding() {
    Path dir = fx.fileLog(tmp.resolve("log"), 5);
    String other = new AuditFixture().vkey();
    Cli.Result r = Cli.run("audit", "verify", dir.toString(), "--public-key", other);
    assertEquals(ExitCode.FINDINGS, r.code(), r.all());
    assertTrue(r.out().contains("BAD_CHECKPOINT_SIGNATURE"), r.out());
  }

  @Test
  void missingDirectory_isAConfigError_withoutStackTrace() {
    Cli.Result r = Cli.run("audit", "verify", tmp.resolve("nope").toString(), "--origin", "x");
    assertEquals(ExitCode.IO_OR_CONFIG, r.code(), r.all());
    assertTrue(r.err().contains("no such directory: " + tmp.resolve("nope")), r.err());
    assertFalse(r.all().contains("\tat "), r.all());
    assertFalse(r.all().contains("Exception"), r.all());
  }

  @Test
  void fileInsteadOfDirectory_isAConfigError() throws Exception {
    Path f = Files.writeString(tmp.resolve("f"), "x");
    Cli.Result r = Cli.run("audit", "verify", f.toString(), "--origin", "x");
    assertEquals(ExitCode.IO_OR_CONFIG, r.code(), r.all());
    assertTrue(r.err().contains("not a directory"), r.err());
  }

  @Test
  void malformedPublicKey_isAUsageError() {
    Path dir = fx.fileLog(tmp.resolve("log"), 1);
    Cli.Result r = Cli.run("audit", "verify", dir.toString(), "--public-key", "not-a-key");
    assertEquals(ExitCode.USAGE, r.code(), r.all());
    assertTrue(r.err().contains("bad public key"), r.err());
  }

  @Test
  void missingPublicKeyFile_isAConfigError() {
    Path dir = fx.fileLog(tmp.resolve("log"), 1);
    Cli.Result r = Cli.run("audit", "verify", dir.toString(), "--public-key-file", tmp.resolve("none.vkey").toString());
    assertEquals(ExitCode.IO_OR_CONFIG, r.code(), r.all());
    assertTrue(r.err().contains("public key file not found"), r.err());
  }

  @Test
  void publicKeyFile_andAnchorDirectory_areUsed() throws Exception {
    Path dir = fx.fileLog(tmp.resolve("log"), 4);
    Path keyFile = Files.writeString(tmp.resolve("audit.vkey"), "# the log's key\n" + fx.vkey() + "\n");
    Path anchors = Files.createDirectories(tmp.resolve("anchors"));
    Cli.Result r = Cli.run("audit", "verify", dir.toString(), "--public-key-file", keyFile.toString(),
        "--anchor-dir", anchors.toString());
    assertEquals(ExitCode.OK, r.code(), r.all());
    assertTrue(r.out().contains("the anchors hold no checkpoint"), r.out());
  }

  @Test
  void noLogGiven_isAUsageError() {
    Cli.Result r = Cli.run("audit", "verify");
    assertEquals(ExitCode.USAGE, r.code(), r.all());
    assertTrue(r.err().contains("missing log"), r.err());
  }

  @Test
  void unknownOption_isAUsageError_withUsage() {
    Cli.Result r = Cli.run("audit", "verify", "--frobnicate");
    assertEquals(ExitCode.USAGE, r.code(), r.all());
    assertTrue(r.err().contains("Unknown option: '--frobnicate'"), r.err());
    assertTrue(r.err().contains("Usage: bulwark audit verify"), r.err());
  }

  @Test
  void keyedChain_isCheckedWithTheChainKeyFile() throws Exception {
    ChainKey key = ChainKey.generate();
    Path dir = tmp.resolve("keyed");
    try (FileAuditStore store = FileAuditStore.open(dir);
         AuditLog log = AuditLog.builder(AuditFixture.ORIGIN, store).signer(fx.signer).chainKey(key).build()) {
      log.append(AuditEvent.builder(Action.AUTHN_LOGIN_SUCCESS, Actor.user("u", "password")).build(fx.now::get));
    }
    Cli.Result unkeyed = Cli.run("audit", "verify", dir.toString(), "--public-key", fx.vkey());
    assertTrue(unkeyed.out().contains("HMAC chain tags are present but no chain key was given"), unkeyed.out());

    Path keyFile = Files.write(tmp.resolve("chain.key"), key.toByteArray());
    Cli.Result ok = Cli.run("audit", "verify", dir.toString(), "--public-key", fx.vkey(), "--chain-key-file", keyFile.toString());
    assertEquals(ExitCode.OK, ok.code(), ok.all());
    assertFalse(ok.out().contains("HMAC chain tags"), ok.out());

    Path wrong = Files.writeString(tmp.resolve("wrong.key"),
        java.util.Base64.getEncoder().encodeToString(ChainKey.generate().toByteArray()));
    Cli.Result bad = Cli.run("audit", "verify", dir.toString(), "--public-key", fx.vkey(), "--chain-key-file", wrong.toString());
    assertEquals(ExitCode.FINDINGS, bad.code(), bad.all());
    assertTrue(bad.out().contains("MAC does not verify"), bad.out());

    Path shortKey = Files.write(tmp.resolve("short.key"), new byte[8]);
    assertEquals(ExitCode.IO_OR_CONFIG, Cli.run("audit", "verify", dir.toString(), "--chain-key-file", shortKey.toString()).code());
  }

  @Test
  void emptyDirectory_withoutOrigin_asksForOrigin() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Cli.Result r = Cli.run("audit", "verify", empty.toString());
    assertEquals(ExitCode.IO_OR_CONFIG, r.code(), r.all());
    assertTrue(r.err().contains("pass --origin"), r.err());
  }

  @Test
  void emptyDirectory_withTrustedKey_isNotIntact_unlessEmptyIsAllowed() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Cli.Result r = Cli.run("audit", "verify", empty.toString(), "--public-key", fx.vkey());
    assertEquals(ExitCode.FINDINGS, r.code(), r.all());
    assertTrue(r.out().contains(AuditFixture.ORIGIN + ": EMPTY, no events and no checkpoint"), r.out());
    assertFalse(r.out().contains(": INTACT"), r.out());

    Cli.Result json = Cli.run("audit", "verify", empty.toString(), "--public-key", fx.vkey(), "--json");
    assertEquals(ExitCode.FINDINGS, json.code(), json.all());
    JsonNode j = new ObjectMapper().readTree(json.out());
    assertTrue(j.get("empty").asBoolean(), json.out());
    assertFalse(j.get("intact").asBoolean(), json.out());

    Cli.Result allowed = Cli.run("audit", "verify", empty.toString(), "--public-key", fx.vkey(), "--allow-empty");
    assertEquals(ExitCode.OK, allowed.code(), allowed.all());
    assertTrue(allowed.out().contains(": INTACT, events [0, 0)"), allowed.out());
  }

  @Test
  void junkDirectory_withTrustedKey_isNotIntact() throws Exception {
    Path junk = Files.createDirectories(tmp.resolve("junk"));
    Files.writeString(junk.resolve("notes.txt"), "not an audit log");
    Files.write(junk.resolve("seg-x.log"), new byte[] {1, 2, 3, 4, 5});
    Cli.Result r = Cli.run("audit", "verify", junk.toString(), "--public-key", fx.vkey());
    assertEquals(ExitCode.FINDINGS, r.code(), r.all());
    assertFalse(r.out().contains(": INTACT"), r.out());
  }

  @Test
  void logWithEvents_isNotReportedEmpty() throws Exception {
    Path dir = fx.fileLog(tmp.resolve("log"), 1);
    Cli.Result r = Cli.run("audit", "verify", dir.toString(), "--public-key", fx.vkey(), "--json");
    assertEquals(ExitCode.OK, r.code(), r.all());
    assertFalse(new ObjectMapper().readTree(r.out()).get("empty").asBoolean(), r.out());
  }
}
