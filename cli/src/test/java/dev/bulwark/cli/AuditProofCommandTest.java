package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuditProofCommandTest {

  @TempDir
  Path tmp;

  final AuditFixture fx = new AuditFixture();

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 6, 12, 16})
  void exportThenVerify_roundTrips_forEveryPosition(int seq) {
    Path dir = fx.fileLog(tmp.resolve("log"), 17);
    Path proof = tmp.resolve("p-" + seq + ".proof");
    Cli.Result exp = Cli.run("audit", "proof", "export", dir.toString(), "--seq", Integer.toString(seq),
        "--public-key", fx.vkey(), "-o", proof.toString());
    assertEquals(ExitCode.OK, exp.code(), exp.all());
    Cli.Result ver = Cli.run("audit", "proof", "verify", proof.toString(), "--public-key", fx.vkey());
    assertEquals(ExitCode.OK, ver.code(), ver.all());
    assertTrue(ver.out().startsWith("VERIFIED: " + seq + " "), ver.out());
  }

  @Test
  void exportToStdout_withoutKey_verifiesWithTheKeyAlone() throws Exception {
    Path dir = fx.fileLog(tmp.resolve("log"), 5);
    Cli.Result exp = Cli.run("audit", "proof", "export", dir.toString(), "--seq", "3");
    assertEquals(ExitCode.OK, exp.code(), exp.all());
    assertTrue(exp.out().startsWith("c2sp.org/tlog-proof@v1\n"), exp.out());
    Path proof = Files.writeString(tmp.resolve("p"), exp.out());
    Cli.Result ver = Cli.run("audit", "proof", "verify", proof.toString(), "--public-key", fx.vkey(), "--json");
    assertEquals(ExitCode.OK, ver.code(), ver.all());
    JsonNode j = new ObjectMapper().readTree(ver.out());
    assertTrue(j.get("verified").asBoolean());
    assertEquals(3, j.get("seq").asLong());
    assertEquals("authn_login_success", j.get("action").asText());
    assertEquals("user-3", j.get("actor").asText());
  }

  @Test
  void tamperedProof_isRejected() throws Exception {
    Path dir = fx.fileLog(tmp.resolve("log"), 9);
    Path proof = tmp.resolve("p.proof");
    assertEquals(ExitCode.OK, Cli.run("audit", "proof", "export", dir.toString(), "--seq", "4", "-o", proof.toString()).code());
    String text = Files.readString(proof, StandardCharsets.UTF_8);
    // Claim the proof is for another index.
    Path wrongIndex = Files.writeString(tmp.resolve("wrong-index"), text.replace("\nindex 4\n", "\nindex 5\n"));
    Cli.Result r1 = Cli.run("audit", "proof", "verify", wrongIndex.toString(), "--public-key", fx.vkey());
    assertEquals(ExitCode.FINDINGS, r1.code(), r1.all());
    assertTrue(r1.out().startsWith("REJECTED: "), r1.out());
    // Change one proof hash.
    String[] lines = text.split("\n", -1);
    lines[3] = lines[3].charAt(0) == 'A' ? "B" + lines[3].substring(1) : "A" + lines[3].substring(1);
    Path badHash = Files.writeString(tmp.resolve("bad-hash"), String.join("\n", lines));
    Cli.Result r2 = Cli.run("audit", "proof", "verify", badHash.toString(), "--public-key", fx.vkey());
    assertEquals(ExitCode.FINDINGS, r2.code(), r2.all());
    assertTrue(r2.out().contains("inclusion proof does not verify"), r2.out());
    // Another log's key.
    Cli.Result r3 = Cli.run("audit", "proof", "verify", proof.toString(), "--public-key", new AuditFixture().vkey(), "--json");
    assertEquals(ExitCode.FINDINGS, r3.code(), r3.all());
    assertFalse(new ObjectMapper().readTree(r3.out()).get("verified").asBoolean());
    // Garbage.
    Path garbage = Files.writeString(tmp.resolve("garbage"), "hello\n");
    Cli.Result r4 = Cli.run("audit", "proof", "verify", garbage.toString(), "--public-key", fx.vkey());
    assertEquals(ExitCode.FINDINGS, r4.code(), r4.all());
    assertFalse(r4.all().contains("Exception"), r4.all());
  }

  @Test
  void seqBeyondTheLog_isAFinding_andWritesNothing() {
    Path dir = fx.fileLog(tmp.resolve("log"), 3);
    Path proof = tmp.resolve("p.proof");
    Cli.Result r = Cli.run("audit", "proof", "export", dir.toString(), "--seq", "3", "-o", proof.toString());
    assertEquals(ExitCode.FINDINGS, r.code(), r.all());
    assertTrue(r.err().contains("covers seq 3"), r.err());
    assertFalse(Files.exists(proof));
  }

  @Test
  void missingProofFile_andMissingKey_areClearErrors() {
    Cli.Result r = Cli.run("audit", "proof", "verify", tmp.resolve("none").toString(), "--public-key", fx.vkey());
    assertEquals(ExitCode.IO_OR_CONFIG, r.code(), r.all());
    assertTrue(r.err().contains("proof file not found"), r.err());
    Cli.Result r2 = Cli.run("audit", "proof", "verify", tmp.resolve("none").toString());
    assertEquals(ExitCode.USAGE, r2.code(), r2.all());
    assertTrue(r2.err().contains("public key"), r2.err());
  }

  @Test
  void exportFromATamperedLog_refuses() throws Exception {
    Path dir = fx.fileLog(tmp.resolve("log"), 9);
    Path seg = AuditFixture.firstSegment(dir);
    AuditFixture.flip(seg, Files.size(seg) / 2, 0x04);
    Cli.Result r = Cli.run("audit", "proof", "export", dir.toString(), "--seq", "1", "--public-key", fx.vkey());
    assertEquals(ExitCode.FINDINGS, r.code(), r.all());
    assertTrue(r.err().contains("bulwark audit verify"), r.err());
  }
}
