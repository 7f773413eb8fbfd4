package dev.bulwark.crypto;

import com.google.crypto.tink.Aead;
import dev.bulwark.crypto.internal.FileKeyringStore;
import dev.bulwark.crypto.internal.InMemoryKeyringStore;
import dev.bulwark.crypto.spi.KeyringStore;
import java.nio.file.Path;

/** The built-in {@link KeyringStore}s. */
public final class KeyringStores {
  private KeyringStores() {}

  /** Keyrings in memory only (tests, or keys that may die with the process). */
  public static KeyringStore inMemory() {
    return new InMemoryKeyringStore();
  }

  /**
   * Keyrings in one file encrypted and authenticated under {@code master}, written atomically
   * (temporary file, fsync, rename, directory fsync). A corrupt file or one under another master
   * key fails with {@link KeyringIntegrityException} and is left untouched.
   */
  public static KeyringStore encryptedFile(Path file, Aead master) throws KeyringIntegrityException {
    if (file == null || master == null) {
      throw new IllegalArgumentException("file and master are required");
    }
    return new FileKeyringStore(file, master);
  }
}
