package dev.bulwark.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import picocli.CommandLine;

/** Runs the CLI in-process with captured output. */
final class Cli {

  static final Instant NOW = Instant.parse("2026-11-22T01:00:00Z");

  record Result(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private Cli() {}

  static Environment env() {
    return Environment.system().withClock(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  static Result run(String... args) {
    return run(env(), args);
  }

  static Result run(Environment env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = BulwarkCli.commandLine(env);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
