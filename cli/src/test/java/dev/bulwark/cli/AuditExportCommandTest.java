package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditExportCommandTest {

  @TempDir
  Path tmp;

  final AuditFixture fx = new AuditFixture();
  final ObjectMapper json = new ObjectMapper();

  @Test
  void exportsARangeAsEcs_andEveryLinesProofVerifiesWithTheCli() throws Exception {
    Path dir = fx.fileLog(tmp.resolve("log"), 20);
    Cli.Result r = Cli.run("audit", "export", dir.toString(), "--format", "ecs", "--from", "5", "--to", "12",
        "--public-key", fx.vkey());
    assertEquals(ExitCode.OK, r.code(), r.all());
    List<String> lines = r.out().lines().toList();
    assertEquals(7, lines.size(), r.out());
    for (int i = 0; i < lines.size(); i++) {
      JsonNode e = json.readTree(lines.get(i));
      assertEquals(5 + i, e.get("event").get("sequence").asLong());
      assertEquals("authentication", e.get("event").get("category").get(0).asText());
      Path proof = Files.writeString(tmp.resolve("p" + i), e.get("bulwark").get("proof").asText());
      Cli.Result v = Cli.run("audit", "proof", "verify", proof.toString(), "--public-key", fx.vkey());
      assertEquals(ExitCode.OK, v.code(), v.all());
    }
    assertTrue(r.err().contains("exported 7 events; next 12"), r.err());
  }

  @Test
  void cursorFile_secondRunResumesWhereTheFirstStopped() throws Exception {
    Path dir = fx.fileLog(tmp.resolve("log"), 15);
    Path cursor = tmp.resolve("export.cursor");
    Path out = tmp.resolve("out.jsonl");
    Cli.Result a = Cli.run("audit", "export", dir.toString(), "--cursor", cursor.toString(), "--to", "6", "-o", out.toString());
    assertEquals(ExitCode.OK, a.code(), a.all());
    Cli.Result b = Cli.run("audit", "export", dir.toString(), "--cursor", cursor.toString(), "-o", out.toString());
    assertEquals(ExitCode.OK, b.code(), b.all());
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertEquals(15, lines.size());
    for (int i = 0; i < 15; i++) {
      JsonNode e = json.readTree(lines.get(i));
      assertEquals(3002, e.get("class_uid").asInt());
      assertEquals(i, e.get("metadata").get("sequence").asLong());
    }
  }

  @Test
  void cef_toStdout() {
    Path dir = fx.fileLog(tmp.resolve("log"), 3);
    Cli.Result r = Cli.run("audit", "export", dir.toString(), "--format", "CEF");
    assertEquals(ExitCode.OK, r.code(), r.all());
    assertEquals(3, r.out().lines().count());
    assertTrue(r.out().startsWith("CEF:0|Bulwark|Bulwark|1|authn_login_fail|Authentication: Logon|3|"), r.out());
  }

  @Test
  void badArguments_areUsageErrors_andACorruptCursorIsAConfigError() throws Exception {
    Path dir = fx.fileLog(tmp.resolve("log"), 3);
    Cli.Result f = Cli.run("audit", "export", dir.toString(), "--format", "xml");
    assertEquals(ExitCode.USAGE, f.code(), f.all());
    Cli.Result range = Cli.run("audit", "export", dir.toString(), "--from", "5", "--to", "2");
    assertEquals(ExitCode.USAGE, range.code(), range.all());
    Cli.Result both = Cli.run("audit", "export", dir.toString(), "-o", tmp.resolve("x").toString(), "--syslog", "h:1");
    assertEquals(ExitCode.USAGE, both.code(), both.all());
    Cli.Result twoSinks = Cli.run("audit", "export", dir.toString(), "--otlp", "http://h:4318", "--syslog", "h:1");
    assertEquals(ExitCode.USAGE, twoSinks.code(), twoSinks.all());
    Cli.Result notHttp = Cli.run("audit", "export", dir.toString(), "--otlp", "ftp://h/");
    assertEquals(ExitCode.USAGE, notHttp.code(), notHttp.all());
    Path cursor = Files.writeString(tmp.resolve("c"), "not a cursor\n");
    Cli.Result c = Cli.run("audit", "export", dir.toString(), "--cursor", cursor.toString());
    assertEquals(ExitCode.IO_OR_CONFIG, c.code(), c.all());
    assertEquals("not a cursor\n", Files.readString(cursor));
    assertFalse(c.all().contains("Exception"), c.all());
  }
}
