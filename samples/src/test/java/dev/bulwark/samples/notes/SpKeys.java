package dev.bulwark.samples.notes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away RSA key and self-signed certificate for the service provider's request signing,
 * made by the JDK's keytool for this run, as PEM text (what an operator would put in properties).
 */
record SpKeys(String privateKeyPem, String certificatePem, String certificateBase64) {

  static SpKeys generate(Path dir) throws Exception {
    Path store = dir.resolve("sp.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "sp", "-keyalg", "RSA",
        "-keysize", "2048", "-sigalg", "SHA256withRSA", "-dname", "CN=bulwark-notes-sp", "-validity", "30",
        "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed");
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    PrivateKey key = (PrivateKey) ks.getKey("sp", "changeit".toCharArray());
    X509Certificate cert = (X509Certificate) ks.getCertificate("sp");
    Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes());
    String certB64 = Base64.getEncoder().encodeToString(cert.getEncoded());
    return new SpKeys(
        "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n",
        "-----BEGIN CERTIFICATE-----\n" + mime.encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n",
        certB64);
  }
}
