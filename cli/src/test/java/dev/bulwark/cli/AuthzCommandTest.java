package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthzCommandTest {

  static final String POLICY = String.join("\n",
      "{",
      "  \"version\": \"v7\",",
      "  \"resourceTypes\": { \"document\": [\"read\", \"write\"], \"folder\": [\"read\"] },",
      "  \"roles\": { \"viewer\": { \"permissions\": [\"document:read\"] } },",
      "  \"bindings\": [",
      "    { \"id\": \"b1\", \"principal\": \"user:bob\", \"role\": \"viewer\", \"tenant\": \"acme\",",
      "      \"scope\": { \"subtree\": \"folder:f-7\" }, \"reviewBy\": \"2026-11-01T00:00:00Z\" },",
      "    { \"id\": \"b2\", \"principal\": \"user:carol\", \"role\": \"viewer\", \"tenant\": \"acme\",",
      "      \"scope\": \"organization\", \"reviewBy\": \"2027-06-01T00:00:00Z\" }",
      "  ]",
      "}");

  @TempDir
  Path dir;

  private Path policy(String text) throws Exception {
    Path p = dir.resolve("policy.json");
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void explain_saysWhy_andExitsByDecision() throws Exception {
    String file = policy(POLICY).toString();
    Cli.Result allowed = Cli.run("authz", "explain", "--policy", file, "--principal", "user:bob", "--action", "read",
        "--tenant", "acme", "--resource", "document:d-1", "--ancestor", "folder:f-7", "--at", "2026-10-30T00:00:00Z");
    assertEquals(ExitCode.OK, allowed.code(), allowed.all());
    assertTrue(allowed.out().contains("ALLOWED (ALLOWED)") && allowed.out().contains("b1")
        && allowed.out().contains("policy version: v7"), allowed.out());
    Cli.Result lapsed = Cli.run("authz", "explain", "--policy", file, "--principal", "user:bob", "--action", "read",
        "--tenant", "acme", "--resource", "document:d-1", "--ancestor", "folder:f-7");
    assertEquals(ExitCode.FINDINGS, lapsed.code(), lapsed.all());
    assertTrue(lapsed.out().contains("NO_MATCHING_BINDING"), lapsed.out());
    Cli.Result otherOrg = Cli.run("authz", "explain", "--policy", file, "--principal", "user:carol", "--action",
        "read", "--tenant", "globex", "--resource", "document:d-1");
    assertEquals(ExitCode.FINDINGS, otherOrg.code(), otherOrg.all());
  }

  @Test
  void review_listsDueAndLapsedBindings() throws Exception {
    Cli.Result r = Cli.run("authz", "review", "--policy", policy(POLICY).toString(), "--within", "P30D");
    assertEquals(ExitCode.OK, r.code(), r.all());
    assertTrue(r.out().contains("LAPSED 2026-11-01T00:00:00Z  b1"), r.out());
    assertTrue(!r.out().contains("b2") && r.out().contains("1 binding(s) due"), r.out());
  }

  @Test
  void badPolicyFile_isReportedWithItsLine_andBadArgumentsAreUsageErrors() throws Exception {
    Cli.Result bad = Cli.run("authz", "explain", "--policy", policy(POLICY.replace("document:read", "document:share"))
        .toString(), "--principal", "user:bob", "--action", "read", "--tenant", "acme", "--resource", "document:d");
    assertEquals(ExitCode.FINDINGS, bad.code(), bad.all());
    assertTrue(bad.err().contains("line 4"), bad.err());
    Cli.Result usage = Cli.run("authz", "explain", "--policy", policy(POLICY).toString(), "--principal", "robot:x",
        "--action", "read", "--tenant", "acme", "--resource", "document:d");
    assertEquals(ExitCode.USAGE, usage.code(), usage.all());
    assertEquals(ExitCode.IO_OR_CONFIG, Cli.run("authz", "review", "--policy", dir.resolve("nope.json").toString())
        .code());
  }
}
