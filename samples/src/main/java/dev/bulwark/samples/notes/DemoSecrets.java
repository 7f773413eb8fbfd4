package dev.bulwark.samples.notes;

import dev.bulwark.audit.CheckpointSigner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertiesPropertySource;

/**
 * The demo's secrets: when {@code notes.demo-secrets} is true (the default) and any of Bulwark's
 * required secrets is not set, they are read from {@code DATA/secrets.properties}, which the first
 * start creates (random keys, owner-only file). The starter itself never generates a key outside a
 * development profile; this file is the sample's stand-in for a secret store, so the keyring and
 * the audit log stay readable across restarts. Properties set anywhere else (environment, command
 * line) take precedence over the file. A deployment sets {@code notes.demo-secrets=false} and
 * provides {@code BULWARK_CRYPTO_MASTER_KEY}, {@code BULWARK_AUTHN_PEPPER},
 * {@code BULWARK_AUDIT_CHAIN_KEY}, {@code BULWARK_AUDIT_CHECKPOINT_KEY} and
 * {@code BULWARK_AUDIT_CHECKPOINT_VERIFIER_KEY} from its secret store.
 */
public final class DemoSecrets implements EnvironmentPostProcessor {

  static final String FILE_NAME = "secrets.properties";
  static final List<String> REQUIRED = List.of("bulwark.crypto.master-key", "bulwark.authn.pepper",
      "bulwark.audit.chain-key", "bulwark.audit.checkpoint-key", "bulwark.audit.checkpoint-verifier-key");
  static final String SSO_COOKIE_KEY = "bulwark.sso.cookie-key";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Log log;

  public DemoSecrets(DeferredLogFactory logs) {
    this.log = logs.getLog(DemoSecrets.class);
  }

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
    if (!Boolean.parseBoolean(env.getProperty("notes.demo-secrets", "true"))) {
      return;
    }
    if (hasText(env.getProperty("bulwark.sso.base-url")) && !hasText(env.getProperty(SSO_COOKIE_KEY))) {
      // Seals "Sign in with SSO" state cookies (10 minutes): a key per start is enough for one node.
      env.getPropertySources().addLast(new PropertiesPropertySource("bulwarkNotesDemoSsoKey",
          props(SSO_COOKIE_KEY, random(32))));
      log.warn(SSO_COOKIE_KEY + " is not set: a random key for this start seals the SSO sign-in state"
          + " (demo only: several nodes share one key from a secret store)");
    }
    if (REQUIRED.stream().allMatch(k -> hasText(env.getProperty(k)))) {
      return;
    }
    Path dir = Path.of(env.getProperty("notes.data-dir", "bulwark-notes-data"));
    Path file = dir.resolve(FILE_NAME);
    try {
      Properties secrets = Files.exists(file) ? read(file) : create(dir, file, env.getProperty("bulwark.audit.origin",
          "bulwark-notes"));
      env.getPropertySources().addLast(new PropertiesPropertySource("bulwarkNotesDemoSecrets", secrets));
      log.warn("Bulwark secrets that are not set are read from " + file.toAbsolutePath()
          + " (demo only: a deployment takes them from a secret store and sets notes.demo-secrets=false)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the demo secrets in " + file, e);
    }
  }

  private static Properties props(String key, String value) {
    Properties p = new Properties();
    p.setProperty(key, value);
    return p;
  }

  private static boolean hasText(String s) {
    return s != null && !s.isBlank();
  }

  private static Properties read(Path file) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    }
    return p;
  }

  private static Properties create(Path dir, Path file, String origin) throws IOException {
    Files.createDirectories(dir);
    Properties p = new Properties();
    p.setProperty("bulwark.crypto.master-key", random(32));
    p.setProperty("bulwark.authn.pepper", random(32));
    p.setProperty("bulwark.audit.chain-key", random(32));
    try {
      KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      p.setProperty("bulwark.audit.checkpoint-key", Base64.getEncoder().encodeToString(kp.getPrivate().getEncoded()));
      p.setProperty("bulwark.audit.checkpoint-verifier-key", CheckpointSigner.of(origin, kp).publicKey().vkey());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make Ed25519 keys", e);
    }
    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      }
      p.store(out, "Bulwark Notes demo secrets: keep this file private; a deployment uses a secret store");
    }
    return p;
  }

  private static String random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }
}
