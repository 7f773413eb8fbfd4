package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.Aead;
import dev.bulwark.crypto.spi.KekProvider;
import dev.bulwark.crypto.spi.KeyringStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileKeyringStoreTest {
  private static final EncryptionContext CTX = EncryptionContext.of("k", "v");

  @Test
  void keyringsSurviveReopen_andKeyMaterialIsNotInTheClear(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keyring.bin");
    Aead master = Fixture.randomMaster();
    KekProvider local = KekProviders.local(master);
    Envelope env = Envelope.builder(Keyrings.builder(KeyringStores.encryptedFile(file, master), local).build()).build();
    byte[] ct = env.encrypt("persist".getBytes(StandardCharsets.UTF_8), CTX);
    Keyrings reopened = Keyrings.builder(KeyringStores.encryptedFile(file, master), local).build();
    assertArrayEquals("persist".getBytes(StandardCharsets.UTF_8), Envelope.builder(reopened).build().decrypt(ct, CTX));
    String raw = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    assertFalse(raw.contains("default"));
    Path lock = dir.resolve("keyring.bin.lock");
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file, lock), files.sorted().toList());
    }
    assertEquals(0, Files.size(lock));
  }

  @Test
  void corruptTruncatedOrForeignFiles_failTyped_andAreNotOverwritten(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keyring.bin");
    Aead master = Fixture.randomMaster();
    KeyringStore store = KeyringStores.encryptedFile(file, master);
    Keyrings.builder(store, KekProviders.local(master)).build().keyring("default");
    byte[] good = Files.readAllBytes(file);
    for (int i = 0; i < good.length; i += 13) {
      byte[] bad = good.clone();
      bad[i] ^= 1;
      Files.write(file, bad);
      assertThrows(KeyringIntegrityException.class, () -> KeyringStores.encryptedFile(file, master));
      assertArrayEquals(bad, Files.readAllBytes(file));
    }
    Files.write(file, Arrays.copyOf(good, good.length - 1));
    assertThrows(KeyringIntegrityException.class, () -> KeyringStores.encryptedFile(file, master));
    Files.write(file, good);
    KeyringIntegrityException e = assertThrows(KeyringIntegrityException.class,
        () -> KeyringStores.encryptedFile(file, Fixture.randomMaster()));
    assertFalse(e.getMessage().contains(Arrays.toString(good)));
    Files.write(file, "hello".getBytes(StandardCharsets.US_ASCII));
    assertThrows(KeyringIntegrityException.class, () -> KeyringStores.encryptedFile(file, master));
  }

  /**
   * A keyring file replaced by a huge one (sparse, so free to make) is refused by its size before
   * it is read, as a foreign file: a typed integrity failure, not an OutOfMemoryError, and the
   * file is left as found.
   */
  @Test
  void aHugeFile_failsTyped_beforeItIsRead(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keyring.bin");
    Aead master = Fixture.randomMaster();
    Keyrings.builder(KeyringStores.encryptedFile(file, master), KekProviders.local(master)).build().keyring("default");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(3L << 30);
    }
    KeyringIntegrityException e = assertThrows(KeyringIntegrityException.class, () -> KeyringStores.encryptedFile(file, master));
    assertTrue(e.getMessage().contains("not a Bulwark keyring file"), e.getMessage());
    assertEquals(3L << 30, Files.size(file));
  }

  @Test
  void aFailedWrite_leavesTheFileUnchanged(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keyring.bin");
    Aead master = Fixture.randomMaster();
    KeyringStore store = KeyringStores.encryptedFile(file, master);
    Keyrings keyrings = Keyrings.builder(store, KekProviders.local(master)).build();
    keyrings.keyring("default");
    byte[] before = Files.readAllBytes(file);
    dir.toFile().setWritable(false);
    try {
      if (!Files.isWritable(dir)) {
        assertThrows(CryptoStoreException.class, () -> keyrings.keyring("default").rotate());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(1, KeyringStores.encryptedFile(file, master).load("default").orElseThrow().versions().size());
      } else {
        // running as root: directory permissions do not stop writes; check the CAS path instead
        assertFalse(store.compareAndSet(0, store.load("default").orElseThrow()));
        assertArrayEquals(before, Files.readAllBytes(file));
      }
    } finally {
      dir.toFile().setWritable(true);
    }
  }

  private static List<Integer> rotate(Keyrings keyrings, String id, int n) throws Exception {
    List<Integer> versions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      versions.add(keyrings.keyring(id).rotate().version());
    }
    return versions;
  }

  /** Checks the history as a process opening the file now sees it (the rotators' views may lag by their refresh interval). */
  private static void assertExactHistory(Path file, Aead master, String id, List<Integer> rotations) throws Exception {
    Keyrings keyrings = Keyrings.builder(KeyringStores.encryptedFile(file, master), KekProviders.local(master)).build();
    List<Integer> sorted = new ArrayList<>(rotations);
    Collections.sort(sorted);
    assertEquals(IntStream.rangeClosed(2, rotations.size() + 1).boxed().toList(), sorted,
        "every rotation made exactly one version");
    List<KeyVersion> versions = keyrings.keyring(id).versions();
    assertEquals(rotations.size() + 1, versions.size());
    for (KeyVersion v : versions) {
      assertEquals(v.version() == versions.size() ? KeyState.PRIMARY : KeyState.DECRYPT_ONLY, v.state());
    }
  }

  @Test
  void twoStoreInstancesOnOneFile_rotatingAtOnce_neverLoseAVersion(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keyring.bin");
    Aead master = Fixture.randomMaster();
    Keyrings a = Keyrings.builder(KeyringStores.encryptedFile(file, master), KekProviders.local(master)).build();
    Keyrings b = Keyrings.builder(KeyringStores.encryptedFile(file, master), KekProviders.local(master)).build();
    byte[] ct = Envelope.builder(a).build().encrypt("x".getBytes(StandardCharsets.UTF_8), CTX);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<List<Integer>>> futures = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Keyrings mine = t % 2 == 0 ? a : b;
      futures.add(pool.submit(() -> rotate(mine, "default", 15)));
    }
    List<Integer> all = new ArrayList<>();
    for (Future<List<Integer>> f : futures) {
      all.addAll(f.get(120, TimeUnit.SECONDS));
    }
    pool.shutdown();
    assertExactHistory(file, master, "default", all);
    assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), Envelope.builder(b).build().decrypt(ct, CTX));
    ShredReceipt receipt = b.shred("default");
    assertEquals(61, receipt.versionsDestroyed().size());
    assertThrows(ScopeShreddedException.class, () -> a.keyring("default").rotate());
    assertThrows(ScopeShreddedException.class, () -> Envelope.builder(a).build().decrypt(ct, CTX));
  }

  @Test
  void twoStoreInstancesReachingOneFileThroughDifferentPaths_stillTakeTurns(@TempDir Path dir) throws Exception {
    Path real = Files.createDirectory(dir.resolve("real"));
    Path alias = Files.createSymbolicLink(dir.resolve("alias"), real);
    Aead master = Fixture.randomMaster();
    Keyrings a = Keyrings.builder(KeyringStores.encryptedFile(real.resolve("keyring.bin"), master),
        KekProviders.local(master)).build();
    Keyrings b = Keyrings.builder(KeyringStores.encryptedFile(alias.resolve("keyring.bin"), master),
        KekProviders.local(master)).build();
    a.keyring("default");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    Future<List<Integer>> fa = pool.submit(() -> rotate(a, "default", 15));
    Future<List<Integer>> fb = pool.submit(() -> rotate(b, "default", 15));
    List<Integer> all = new ArrayList<>(fa.get(120, TimeUnit.SECONDS));
    all.addAll(fb.get(120, TimeUnit.SECONDS));
    pool.shutdown();
    assertExactHistory(real.resolve("keyring.bin"), master, "default", all);
  }

  @Test
  void twoProcessesOnOneFile_rotatingAtOnce_neverLoseAVersion(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keyring.bin");
    byte[] masterKey = new byte[32];
    new java.security.SecureRandom().nextBytes(masterKey);
    Aead master = KekProviders.masterKey(masterKey);
    Keyrings here = Keyrings.builder(KeyringStores.encryptedFile(file, master), KekProviders.local(master)).build();
    here.keyring("shared");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        KeyringRotatorMain.class.getName(), file.toString(), "shared", "25"))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader childOut = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
      Writer childIn = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.US_ASCII);
      childIn.write(HexFormat.of().formatHex(masterKey) + "\n");
      childIn.flush();
      assertEquals("READY", childOut.readLine());
      childIn.write("GO\n");
      childIn.flush();
      List<Integer> all = new ArrayList<>(rotate(here, "shared", 25));
      String line = childOut.readLine();
      assertTrue(line != null && line.startsWith("VERSIONS "), String.valueOf(line));
      for (String v : line.substring(9).split(" ")) {
        all.add(Integer.parseInt(v));
      }
      assertTrue(child.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, child.exitValue());
      assertExactHistory(file, master, "shared", all);
    } finally {
      child.destroyForcibly();
    }
  }
}
