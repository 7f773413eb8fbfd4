package dev.bulwark.audit.export;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed RSA certificate (GnuTLS reads the JDK's PKCS#8 RSA keys, not its EC ones) for 127.0.0.1/localhost made with the JDK's keytool in a temporary
 * directory, as a server SSLContext, a client SSLContext that trusts only it, and PEM files for
 * a receiver such as rsyslog.
 */
final class TestTls {
  final Path dir;
  final SSLContext server;
  final SSLContext client;
  final Path certPem;
  final Path keyPem;

  private TestTls(Path dir, SSLContext server, SSLContext client, Path certPem, Path keyPem) {
    this.dir = dir;
    this.server = server;
    this.client = client;
    this.certPem = certPem;
    this.keyPem = keyPem;
  }

  static TestTls create(Path dir) throws Exception {
    Path p12 = dir.resolve("receiver.p12");
    char[] pass = "changeit".toCharArray();
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-keystore", p12.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
        "-alias", "receiver", "-keyalg", "RSA", "-keysize", "2048",
        "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2")
        .redirectErrorStream(true).start();
    byte[] output;
    try (InputStream in = p.getInputStream()) {
      output = in.readAllBytes();
    }
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      ks.load(in, pass);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pass);
    SSLContext server = SSLContext.getInstance("TLS");
    server.init(kmf.getKeyManagers(), null, null);

    Certificate cert = ks.getCertificate("receiver");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("receiver", cert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, tmf.getTrustManagers(), null);

    Path certPem = dir.resolve("cert.pem");
    Path keyPem = dir.resolve("key.pem");
    Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
    PrivateKey key = (PrivateKey) ks.getKey("receiver", pass);
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
    return new TestTls(dir, server, client, certPem, keyPem);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }
}
