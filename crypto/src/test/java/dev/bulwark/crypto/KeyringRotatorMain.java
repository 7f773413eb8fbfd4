package dev.bulwark.crypto;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * A second process for {@link FileKeyringStoreTest}: opens the keyring file (master key as hex on
 * the first line of stdin, so it never shows in a process list), prints {@code READY}, waits for
 * {@code GO} and rotates keyring {@code args[1]} {@code args[2]} times, printing each new version.
 */
public final class KeyringRotatorMain {
  private KeyringRotatorMain() {}

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    byte[] master = HexFormat.of().parseHex(in.readLine().trim());
    Keyrings keyrings = Keyrings.builder(KeyringStores.encryptedFile(Path.of(args[0]), KekProviders.masterKey(master)),
        KekProviders.local(KekProviders.masterKey(master))).build();
    System.out.println("READY");
    System.out.flush();
    if (!"GO".equals(in.readLine())) {
      throw new IllegalStateException("expected GO");
    }
    int n = Integer.parseInt(args[2]);
    StringBuilder out = new StringBuilder("VERSIONS");
    for (int i = 0; i < n; i++) {
      out.append(' ').append(keyrings.keyring(args[1]).rotate().version());
    }
    System.out.println(out);
    System.out.flush();
  }
}
