package dev.bulwark.testing.keycloak;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away RSA key and self-signed certificate for a SAML service provider's request signing,
 * made by the JDK's {@code keytool} for this run: the key and certificate as PEM text (what an
 * operator would put in properties), and the certificate as bare Base64 (what a Keycloak realm's
 * {@code saml.signing.certificate} holds, so the client refuses requests signed otherwise).
 *
 * <p>Security considerations: a test fixture; the key store's password is random for the run and
 * passed to keytool on its command line, and the key is valid for 30 days. Never use these keys
 * outside a test.
 */
public record SpKeys(String privateKeyPem, String certificatePem, String certificateBase64) {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Makes a key pair with subject {@code CN=commonName} in a PKCS#12 store {@code sp.p12} under {@code dir}. */
  public static SpKeys generate(Path dir, String commonName) throws IOException, GeneralSecurityException,
      InterruptedException {
    Path store = dir.resolve("sp.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "sp", "-keyalg", "RSA",
        "-keysize", "2048", "-sigalg", "SHA256withRSA", "-dname", "CN=" + commonName, "-validity", "30",
        "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", password, "-keypass", password)
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed");
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, password.toCharArray());
    }
    PrivateKey key = (PrivateKey) ks.getKey("sp", password.toCharArray());
    X509Certificate cert = (X509Certificate) ks.getCertificate("sp");
    Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    return new SpKeys(
        "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n",
        "-----BEGIN CERTIFICATE-----\n" + mime.encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n",
        Base64.getEncoder().encodeToString(cert.getEncoded()));
  }

  /** Names the certificate only: the private key never reaches a log or an assertion message. */
  @Override
  public String toString() {
    return "SpKeys[certificate " + certificateBase64.substring(0, Math.min(16, certificateBase64.length())) + "…, key redacted]";
  }
}
