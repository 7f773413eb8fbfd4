package dev.bulwark.cli;

import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.KeyringStores;
import dev.bulwark.crypto.Keyrings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import picocli.CommandLine.Option;

/** Where the keyrings live: an encrypted keyring file and its master key. A picocli mixin. */
final class KeyringOptions {

  @Option(names = "--keyring-file", required = true, paramLabel = "FILE",
      description = "The encrypted keyring file (KeyringStores.encryptedFile).")
  Path keyringFile;

  @Option(names = "--master-key-file", required = true, paramLabel = "FILE",
      description = "The 32-byte master key (raw, or base64 text) that encrypts the keyring file and wraps the KEKs.")
  Path masterKeyFile;

  /**
   * The keyring store reads the whole file into one array; a file it cannot hold is refused here
   * instead of failing with an {@link OutOfMemoryError} inside the store.
   */
  private static void requireReadableSize(Path file) {
    try {
      if (Files.exists(file) && Files.size(file) > InputFiles.CIPHERTEXT_MAX_BYTES) {
        throw CliException.config("keyring file " + file + " is too large: " + Files.size(file) + " bytes (at most "
            + InputFiles.CIPHERTEXT_MAX_BYTES + " allowed)");
      }
    } catch (IOException e) {
      throw CliException.config("cannot read keyring file " + file + ": " + e.getMessage());
    }
  }

  /** Opens the keyrings with a local KEK provider under the master key. */
  Keyrings open(Clock clock, boolean mustExist) {
    if (mustExist && !Files.exists(keyringFile)) {
      throw CliException.config("keyring file not found: " + keyringFile);
    }
    requireReadableSize(keyringFile);
    byte[] raw = InputFiles.read(masterKeyFile, "master key file", InputFiles.KEY_FILE_MAX_BYTES);
    byte[] key = TrustOptions.decodeKeyText(raw);
    try {
      if (key.length != 32) {
        throw CliException.config("master key file " + masterKeyFile + " must hold 32 bytes (raw or base64), not "
            + key.length);
      }
      com.google.crypto.tink.Aead master = KekProviders.masterKey(key);
      return Keyrings.builder(KeyringStores.encryptedFile(keyringFile, master), KekProviders.local(master))
          .clock(clock).refreshInterval(Duration.ZERO).build();
    } catch (GeneralSecurityException e) {
      throw CliException.config("cannot open keyring file " + keyringFile + ": " + e.getMessage());
    } finally {
      Arrays.fill(key, (byte) 0);
      Arrays.fill(raw, (byte) 0);
    }
  }
}
