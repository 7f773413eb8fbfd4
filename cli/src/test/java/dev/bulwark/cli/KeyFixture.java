package dev.bulwark.cli;

import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.KeyringStores;
import dev.bulwark.crypto.Keyrings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/** A keyring file, its master key and a directory of ciphertext files. */
final class KeyFixture {

  final Path keyringFile;
  final Path masterKeyFile;
  final Path blobs;
  private final byte[] master = new byte[32];

  KeyFixture(Path dir) throws Exception {
    new SecureRandom().nextBytes(master);
    keyringFile = dir.resolve("keys.bin");
    masterKeyFile = Files.writeString(dir.resolve("master.key"), Base64.getEncoder().encodeToString(master) + "\n");
    blobs = Files.createDirectories(dir.resolve("blobs"));
  }

  String[] keyArgs() {
    return new String[] {"--keyring-file", keyringFile.toString(), "--master-key-file", masterKeyFile.toString()};
  }

  Keyrings keyrings() throws Exception {
    com.google.crypto.tink.Aead m = KekProviders.masterKey(master.clone());
    return Keyrings.builder(KeyringStores.encryptedFile(keyringFile, m), KekProviders.local(m))
        .clock(Clock.fixed(Cli.NOW, java.time.ZoneOffset.UTC)).refreshInterval(Duration.ZERO).build();
  }

  static String name(int i) {
    return String.format(Locale.ROOT, "blob-%04d", i);
  }

  static EncryptionContext context(int i) {
    return EncryptionContext.of("blob", name(i));
  }

  /** Encrypts {@code n} files under the current primary of keyring "default". */
  void writeBlobs(int n) throws Exception {
    Envelope e = Envelope.builder(keyrings()).build();
    for (int i = 0; i < n; i++) {
      Files.write(blobs.resolve(name(i)), e.encrypt(("secret " + i).getBytes(StandardCharsets.UTF_8), context(i)));
    }
  }

  String decrypt(int i) throws Exception {
    Envelope e = Envelope.builder(keyrings()).build();
    return new String(e.decrypt(Files.readAllBytes(blobs.resolve(name(i))), context(i)), StandardCharsets.UTF_8);
  }

  int version(int i) throws Exception {
    return Envelope.inspect(Files.readAllBytes(blobs.resolve(name(i)))).kekVersion();
  }

  static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
