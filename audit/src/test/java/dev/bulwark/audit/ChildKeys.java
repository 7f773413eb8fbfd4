package dev.bulwark.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * The checkpoint key pair and chain key a test shares with the child JVMs it starts: written once
 * by the parent into a directory of the test's own, read back by each child.
 */
public final class ChildKeys {
  private final KeyPair keyPair;
  private final ChainKey chainKey;

  private ChildKeys(KeyPair keyPair, ChainKey chainKey) {
    this.keyPair = keyPair;
    this.chainKey = chainKey;
  }

  /** Generates fresh keys and writes them to {@code dir}. */
  public static ChildKeys create(Path dir) {
    try {
      Files.createDirectories(dir);
      KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      ChainKey chainKey = ChainKey.generate();
      Files.write(dir.resolve("public.der"), kp.getPublic().getEncoded());
      Files.write(dir.resolve("private.der"), kp.getPrivate().getEncoded());
      Files.write(dir.resolve("chain.key"), chainKey.toByteArray());
      return new ChildKeys(kp, chainKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the keys {@link #create} wrote. */
  public static ChildKeys read(Path dir) {
    try {
      KeyFactory kf = KeyFactory.getInstance("Ed25519");
      KeyPair kp = new KeyPair(kf.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(dir.resolve("public.der")))),
          kf.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(dir.resolve("private.der")))));
      return new ChildKeys(kp, ChainKey.of(Files.readAllBytes(dir.resolve("chain.key"))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public CheckpointSigner signer(String origin) {
    return CheckpointSigner.of(origin, keyPair);
  }

  public CheckpointKey publicKey(String origin) {
    return signer(origin).publicKey();
  }

  public ChainKey chainKey() {
    return chainKey;
  }
}
