package dev.bulwark.cli;

import static dev.bulwark.cli.KeyFixture.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No file size or content crashes the CLI: files over 2 GiB (sparse, so the test writes nothing)
 * and errors thrown by a command end in one {@code bulwark:} line and an exit status.
 */
class HostileInputTest {

  private static final long OVER_2_GIB = (2L << 30) + 4096;

  @TempDir
  Path tmp;

  private static Path sparse(Path file, long length) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(length);
    }
    return file;
  }

  private static void assertOneLine(Cli.Result r, int code, String expected) {
    assertEquals(code, r.code(), r.all());
    assertTrue(r.err().startsWith("bulwark: "), r.err());
    assertTrue(r.err().contains(expected), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(r.all().contains("\tat ") || r.all().contains("OutOfMemoryError"), r.all());
  }

  @Test
  void masterKeyFileOver2GiB_isAConfigurationError_notACrash() throws Exception {
    KeyFixture k = new KeyFixture(tmp);
    sparse(k.masterKeyFile, OVER_2_GIB);
    Cli.Result r = Cli.run(concat(new String[] {"keys", "rotate", "--create"}, k.keyArgs()));
    assertOneLine(r, ExitCode.IO_OR_CONFIG, "master key file");
    assertTrue(r.err().contains("too large"), r.err());
  }

  @Test
  void scannedCiphertextOver2GiB_isAConfigurationError_notACrash() throws Exception {
    KeyFixture k = new KeyFixture(tmp);
    assertEquals(ExitCode.OK, Cli.run(concat(new String[] {"keys", "rotate", "--create"}, k.keyArgs())).code());
    k.writeBlobs(2);
    sparse(k.blobs.resolve("huge"), OVER_2_GIB);
    Cli.Result r = Cli.run(concat(new String[] {"keys", "status", "--scan", k.blobs.toString()}, k.keyArgs()));
    assertOneLine(r, ExitCode.IO_OR_CONFIG, "huge");
  }

  @Test
  void rewrapOfADirectoryWithACiphertextOver2GiB_isAConfigurationError_andLeavesFilesReadable() throws Exception {
    KeyFixture k = new KeyFixture(tmp);
    assertEquals(ExitCode.OK, Cli.run(concat(new String[] {"keys", "rotate", "--create"}, k.keyArgs())).code());
    k.writeBlobs(2);
    assertEquals(ExitCode.OK, Cli.run(concat(new String[] {"keys", "rotate"}, k.keyArgs())).code());
    sparse(k.blobs.resolve("huge"), OVER_2_GIB);
    Cli.Result r = Cli.run(concat(new String[] {"keys", "rewrap", k.blobs.toString(), "--no-progress"}, k.keyArgs()));
    assertOneLine(r, ExitCode.IO_OR_CONFIG, "too large");
    assertEquals("secret 0", k.decrypt(0));
    assertEquals("secret 1", k.decrypt(1));
  }

  @Test
  void rewrapStateFileOverItsLimit_isAConfigurationError() throws Exception {
    KeyFixture k = new KeyFixture(tmp);
    assertEquals(ExitCode.OK, Cli.run(concat(new String[] {"keys", "rotate", "--create"}, k.keyArgs())).code());
    k.writeBlobs(1);
    sparse(k.blobs.resolve(".bulwark-rewrap-state"), InputFiles.TEXT_FILE_MAX_BYTES + 1);
    Cli.Result r = Cli.run(concat(new String[] {"keys", "rewrap", k.blobs.toString(), "--no-progress"}, k.keyArgs()));
    assertOneLine(r, ExitCode.IO_OR_CONFIG, "rewrap state");
    assertTrue(r.err().contains("too large"), r.err());
  }

  @Test
  void keyringFileOver2GiB_isAConfigurationError_notACrash() throws Exception {
    KeyFixture k = new KeyFixture(tmp);
    sparse(k.keyringFile, OVER_2_GIB);
    Cli.Result r = Cli.run(concat(new String[] {"keys", "status"}, k.keyArgs()));
    assertOneLine(r, ExitCode.IO_OR_CONFIG, "keyring file");
    assertTrue(r.err().contains("too large"), r.err());
  }

  @Test
  void proofOver2GiB_isAConfigurationError_notACrash() throws Exception {
    Path proof = sparse(tmp.resolve("event.proof"), OVER_2_GIB);
    Cli.Result r = Cli.run("audit", "proof", "verify", proof.toString(), "--public-key", new AuditFixture().vkey());
    assertOneLine(r, ExitCode.IO_OR_CONFIG, "proof file");
  }

  @Test
  void chainKeyAndPublicKeyFilesOverTheKeyLimit_areRefusedBeforeReading() throws Exception {
    AuditFixture fx = new AuditFixture();
    Path dir = fx.fileLog(tmp.resolve("log"), 3);
    Path big = sparse(tmp.resolve("big.key"), InputFiles.KEY_FILE_MAX_BYTES + 1);
    assertOneLine(Cli.run("audit", "verify", dir.toString(), "--public-key", fx.vkey(), "--chain-key-file",
        big.toString()), ExitCode.IO_OR_CONFIG, "chain key file");
    assertOneLine(Cli.run("audit", "verify", dir.toString(), "--public-key-file", big.toString()),
        ExitCode.IO_OR_CONFIG, "public key file");
  }

  @Test
  void anErrorThrownByACommand_isOneLine_andInternal() {
    Environment env = new Environment(Cli.env().clock(), options -> {
      throw new OutOfMemoryError("Java heap space");
    }, Cli.env().lifecycleStores());
    Cli.Result r = Cli.run(env, "audit", "verify", "--jdbc-url", "jdbc:postgresql://127.0.0.1/none");
    assertEquals(ExitCode.INTERNAL, r.code(), r.all());
    assertTrue(r.err().startsWith("bulwark: internal error: java.lang.OutOfMemoryError: Java heap space"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(r.all().contains("\tat "), r.all());
  }

  @Test
  void anErrorWithDebug_showsItsStackTrace() {
    Environment env = new Environment(Cli.env().clock(), options -> {
      throw new StackOverflowError("deep");
    }, Cli.env().lifecycleStores());
    Cli.Result r = Cli.run(env, "audit", "verify", "--debug", "--jdbc-url", "jdbc:postgresql://127.0.0.1/none");
    assertEquals(ExitCode.INTERNAL, r.code(), r.all());
    assertTrue(r.err().startsWith("bulwark: internal error: java.lang.StackOverflowError: deep"), r.err());
    assertTrue(r.err().contains("\tat "), r.err());
  }

  @Test
  void parseErrors_startWithTheSamePrefix_andShowTheUsage() {
    Cli.Result r = Cli.run("audit", "verify", "--no-such-option");
    assertEquals(ExitCode.USAGE, r.code(), r.all());
    assertTrue(r.err().startsWith("bulwark: Unknown option: '--no-such-option'"), r.err());
    assertTrue(r.err().contains("Usage: bulwark audit verify"), r.err());

    Cli.Result missing = Cli.run("audit", "proof", "verify");
    assertEquals(ExitCode.USAGE, missing.code(), missing.all());
    assertTrue(missing.err().startsWith("bulwark: Missing required parameter"), missing.err());
  }
}
