package dev.bulwark.cli;

import static dev.bulwark.cli.KeyFixture.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysCommandTest {

  @TempDir
  Path tmp;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void rotate_create_thenRotate_movesThePrimary() throws Exception {
    KeyFixture k = new KeyFixture(tmp);
    Cli.Result missing = Cli.run(concat(new String[] {"keys", "rotate"}, k.keyArgs()));
    assertEquals(ExitCode.IO_OR_CONFIG, missing.code(), missing.all());
    assertTrue(missing.err().contains("keyring file not found"), missing.err());

    Cli.Result created = Cli.run(concat(new String[] {"keys", "rotate", "--create"}, k.keyArgs()));
    assertEquals(ExitCode.OK, created.code(), created.all());
    assertTrue(created.out().contains("created keyring default with primary v1"), created.out());

    Cli.Result rotated = Cli.run(concat(new String[] {"keys", "rotate"}, k.keyArgs()));
    assertEquals(ExitCode.OK, rotated.code(), rotated.all());
    assertTrue(rotated.out().contains("primary v1 -> v2"), rotated.out());
    assertEquals(2, k.keyrings().keyring("default").primaryVersion());
  }

  @Test
  void status_reportsVersions_statesAndDependents() throws Exception {
    KeyFixture k = new KeyFixture(tmp);
    k.writeBlobs(7);
    assertEquals(ExitCode.OK, Cli.run(concat(new String[] {"keys", "rotate"}, k.keyArgs())).code());
    Cli.Result text = Cli.run(concat(new String[] {"keys", "status", "--scan", k.blobs.toString()}, k.keyArgs()));
    assertEquals(ExitCode.OK, text.code(), text.all());
    assertTrue(text.out().contains("keyring default: primary v2"), text.out());
    assertTrue(text.out().matches("(?s).*v1\\s+DECRYPT_ONLY.*\\s7\\n.*"), text.out());

    Cli.Result json = Cli.run(concat(new String[] {"keys", "status", "--scan", k.blobs.toString(), "--json"}, k.keyArgs()));
    JsonNode versions = JSON.readTree(json.out()).get("keyrings").get(0).get("versions");
    assertEquals("DECRYPT_ONLY", versions.get(0).get("state").asText());
    assertEquals(7, versions.get(0).get("dependents").asLong());
    assertFalse(versions.get(0).get("safeToDestroy").asBoolean());
    assertEquals("PRIMARY", versions.get(1).get("state").asText());
    assertEquals(0, versions.get(1).get("dependents").asLong());
  }

  @Test
  void rewrap_interruptedAfterK_thenResumed_rewrapsEveryFileExactlyOnce() throws Exception {
    KeyFixture k = new KeyFixture(tmp);
    int n = 23;
    k.writeBlobs(n);
    assertEquals(ExitCode.OK, Cli.run(concat(new String[] {"keys", "rotate"}, k.keyArgs())).code());

    Cli.Result first = Cli.run(concat(new String[] {"keys", "rewrap", k.blobs.toString(), "--page-size", "4",
        "--max-items", "10", "--json"}, k.keyArgs()));
    assertEquals(ExitCode.OK, first.code(), first.all());
    JsonNode a = JSON.readTree(first.out());
    assertFalse(a.get("complete").asBoolean());
    assertEquals(10, a.get("rewrapped").asLong());
    assertTrue(first.err().contains("10/23"), first.err());
    for (int i = 0; i < n; i++) {
      assertEquals(i < 10 ? 2 : 1, k.version(i), "file " + i + " after the interrupted run");
    }

    Cli.Result second = Cli.run(concat(new String[] {"keys", "rewrap", k.blobs.toString(), "--page-size", "4", "--json"},
        k.keyArgs()));
    assertEquals(ExitCode.OK, second.code(), second.all());
    assertTrue(second.err().contains("resuming after blob-0009"), second.err());
    JsonNode b = JSON.readTree(second.out());
    assertTrue(b.get("complete").asBoolean());
    assertEquals(n, b.get("scanned").asLong());
    assertEquals(n, b.get("rewrapped").asLong());
    assertEquals(0, b.get("alreadyCurrent").asLong());
    assertEquals(n - 10, b.get("thisRun").asLong());
    assertEquals(n, b.get("dependents").get("default:v2").asLong());
    for (int i = 0; i < n; i++) {
      assertEquals(2, k.version(i));
      assertEquals("secret " + i, k.decrypt(i));
    }

    Cli.Result status = Cli.run(concat(new String[] {"keys", "status", "--scan", k.blobs.toString(), "--json"}, k.keyArgs()));
    JsonNode v1 = JSON.readTree(status.out()).get("keyrings").get(0).get("versions").get(0);
    assertEquals(0, v1.get("dependents").asLong());
    assertTrue(v1.get("safeToDestroy").asBoolean());

    // A new pass after a complete one finds everything current and rewrites nothing.
    Cli.Result third = Cli.run(concat(new String[] {"keys", "rewrap", k.blobs.toString(), "--json", "--no-progress"},
        k.keyArgs()));
    JsonNode c = JSON.readTree(third.out());
    assertEquals(0, c.get("rewrapped").asLong());
    assertEquals(n, c.get("alreadyCurrent").asLong());
  }

  @Test
  void rewrap_countsForeignFilesAsFailed_andLeavesThemAlone() throws Exception {
    KeyFixture k = new KeyFixture(tmp);
    k.writeBlobs(2);
    Files.writeString(k.blobs.resolve("zz-not-a-ciphertext"), "hello");
    assertEquals(ExitCode.OK, Cli.run(concat(new String[] {"keys", "rotate"}, k.keyArgs())).code());
    Cli.Result r = Cli.run(concat(new String[] {"keys", "rewrap", k.blobs.toString()}, k.keyArgs()));
    assertEquals(ExitCode.FINDINGS, r.code(), r.all());
    assertTrue(r.out().contains("2 rewrapped") && r.out().contains("1 failed"), r.out());
    assertEquals("hello", Files.readString(k.blobs.resolve("zz-not-a-ciphertext")));
  }

  @Test
  void wrongMasterKey_isAConfigError_withoutStackTrace() throws Exception {
    KeyFixture k = new KeyFixture(tmp);
    k.writeBlobs(1);
    Files.write(k.masterKeyFile, new byte[32]);
    Cli.Result r = Cli.run(concat(new String[] {"keys", "status"}, k.keyArgs()));
    assertEquals(ExitCode.IO_OR_CONFIG, r.code(), r.all());
    assertFalse(r.all().contains("\tat "), r.all());
  }

  @Test
  void badArguments_areClearErrors() throws Exception {
    KeyFixture k = new KeyFixture(tmp);
    Files.write(k.masterKeyFile, new byte[5]);
    Cli.Result shortKey = Cli.run(concat(new String[] {"keys", "rotate", "--create"}, k.keyArgs()));
    assertEquals(ExitCode.IO_OR_CONFIG, shortKey.code(), shortKey.all());
    assertTrue(shortKey.err().contains("must hold 32 bytes"), shortKey.err());

    Cli.Result noDir = Cli.run(concat(new String[] {"keys", "rewrap", tmp.resolve("nope").toString()}, k.keyArgs()));
    assertEquals(ExitCode.IO_OR_CONFIG, noDir.code(), noDir.all());
    assertTrue(noDir.err().contains("no such directory"), noDir.err());

    Cli.Result noKeyring = Cli.run("keys", "status");
    assertEquals(ExitCode.USAGE, noKeyring.code(), noKeyring.all());
    assertTrue(noKeyring.err().contains("Missing required options"), noKeyring.err());

    Cli.Result missingMaster = Cli.run("keys", "status", "--keyring-file", k.keyringFile.toString(),
        "--master-key-file", tmp.resolve("none").toString());
    assertEquals(ExitCode.IO_OR_CONFIG, missingMaster.code(), missingMaster.all());
  }
}
