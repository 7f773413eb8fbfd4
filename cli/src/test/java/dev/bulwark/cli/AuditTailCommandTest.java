package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditTailCommandTest {

  @TempDir
  Path tmp;

  final AuditFixture fx = new AuditFixture();

  @Test
  void tail_printsTheNewestEvents_oldestFirst() {
    Path dir = fx.fileLog(tmp.resolve("log"), 12);
    Cli.Result r = Cli.run("audit", "tail", dir.toString(), "-n", "3");
    assertEquals(ExitCode.OK, r.code(), r.all());
    List<String> lines = r.out().lines().toList();
    assertEquals(3, lines.size(), r.out());
    assertTrue(lines.get(0).startsWith("9 ") && lines.get(0).contains("actor=user-9"), r.out());
    assertTrue(lines.get(2).startsWith("11 ") && lines.get(2).contains("authn_login_success"), r.out());
    assertTrue(r.out().lines().filter(l -> l.contains("authn_login_fail")).allMatch(l -> l.contains("reason=bad_password")));
  }

  @Test
  void tail_defaultTen_andFewerWhenTheLogIsShort() {
    Path dir = fx.fileLog(tmp.resolve("log"), 4);
    Cli.Result r = Cli.run("audit", "tail", dir.toString());
    assertEquals(4, r.out().lines().count(), r.out());
  }

  @Test
  void follow_pollsFromWhereItStopped_withoutRepeatingLines() {
    Path dir = fx.fileLog(tmp.resolve("log"), 2);
    Cli.Result r = Cli.run("audit", "tail", dir.toString(), "-n", "1", "--follow", "--poll-interval", "PT0.001S",
        "--max-polls", "1");
    assertEquals(ExitCode.OK, r.code(), r.all());
    assertEquals(1, r.out().lines().count(), r.out());
  }

  @Test
  void negativeCount_andMissingDirectory_areErrors() {
    assertEquals(ExitCode.USAGE, Cli.run("audit", "tail", tmp.toString(), "-n", "-1").code());
    Cli.Result r = Cli.run("audit", "tail", tmp.resolve("missing").toString());
    assertEquals(ExitCode.IO_OR_CONFIG, r.code(), r.all());
    assertTrue(r.err().contains("no such directory"), r.err());
    assertEquals(ExitCode.USAGE, Cli.run("audit", "tail", tmp.toString(), "-n", "many").code());
  }
}
