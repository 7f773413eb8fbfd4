package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.crypto.tink.Aead;
import dev.bulwark.crypto.spi.KekProvider;
import dev.bulwark.crypto.spi.KeyringStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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
      assertThrows(KeyringStoreException.class, () -> KeyringStores.encryptedFile(file, master));
      assertArrayEquals(bad, Files.readAllBytes(file));
    }
    Files.write(file, Arrays.copyOf(good, good.length - 1));
    assertThrows(KeyringStoreException.class, () -> KeyringStores.encryptedFile(file, master));
    Files.write(file, good);
    KeyringStoreException e = assertThrows(KeyringStoreException.class,
        () -> KeyringStores.encryptedFile(file, Fixture.randomMaster()));
    assertFalse(e.getMessage().contains(Arrays.toString(good)));
    Files.write(file, "hello".getBytes(StandardCharsets.US_ASCII));
    assertThrows(KeyringStoreException.class, () -> KeyringStores.encryptedFile(file, master));
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
        assertThrows(KeyringStoreException.class, () -> keyrings.keyring("default").rotate());
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
}
