package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HelpTest {

  @Test
  void everyCommand_hasHelp_andExitsZero() {
    List<List<String>> paths = new ArrayList<>();
    collect(BulwarkCli.commandLine(Cli.env()), new ArrayList<>(), paths);
    assertTrue(paths.size() >= 12, paths.toString());
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      Cli.Result r = Cli.run(args.toArray(new String[0]));
      assertEquals(ExitCode.OK, r.code(), path + ": " + r.all());
      assertTrue(r.out().contains("Usage: bulwark"), path + ": " + r.out());
    }
  }

  private static void collect(CommandLine cl, List<String> prefix, List<List<String>> out) {
    out.add(prefix);
    for (var e : cl.getSubcommands().entrySet()) {
      if (e.getKey().equals("help")) {
        continue;
      }
      List<String> p = new ArrayList<>(prefix);
      p.add(e.getKey());
      collect(e.getValue(), p, out);
    }
  }

  @Test
  void rootHelp_listsTheExitCodes() {
    Cli.Result r = Cli.run("--help");
    assertTrue(r.out().contains("Exit status:") && r.out().contains("5   a purge safety rail refused"), r.out());
  }

  @Test
  void noCommand_orUnknownCommand_isAUsageError() {
    assertEquals(ExitCode.USAGE, Cli.run().code());
    Cli.Result r = Cli.run("frobnicate");
    assertEquals(ExitCode.USAGE, r.code());
    assertTrue(r.err().contains("Unmatched argument"), r.err());
    assertEquals(ExitCode.USAGE, Cli.run("audit").code());
    assertEquals(ExitCode.USAGE, Cli.run("keys").code());
  }

  @Test
  void aGroupRunWithoutItsCommand_namesEveryCommandItHas() {
    assertTrue(Cli.run().err().contains("missing command: audit, keys, lifecycle, detect or authz (see --help)"),
        Cli.run().err());
    assertTrue(Cli.run("audit").err().contains("missing subcommand: verify, proof, tail, recover or export"),
        Cli.run("audit").err());
    assertTrue(Cli.run("audit", "proof").err().contains("missing subcommand: export or verify"));
    assertTrue(Cli.run("authz").err().contains("missing subcommand: explain, review or verify-rls"));
    assertTrue(Cli.run("detect").err().contains("missing subcommand: replay" + System.lineSeparator()), Cli.run("detect").err());
    assertTrue(Cli.run("keys").err().contains("missing subcommand: status, rotate or rewrap"));
    assertTrue(Cli.run("lifecycle").err().contains("missing subcommand: init, purge or reset-watermark"));
  }

  @Test
  void version_isPrinted() {
    Cli.Result r = Cli.run("--version");
    assertEquals(ExitCode.OK, r.code());
    assertTrue(r.out().startsWith("bulwark "), r.out());
  }
}
