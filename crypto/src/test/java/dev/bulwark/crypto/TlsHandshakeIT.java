package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Security;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TLS handshakes on loopback against a server restricted by {@link TlsPolicy}. The JVM's
 * own ban on TLS 1.0/1.1 is lifted for this test, so a refusal can only come from the policy;
 * each refusal is paired with a control showing that an unrestricted server would accept the same
 * client.
 */
class TlsHandshakeIT {
  static {
    // Must run before any TLS class reads it: re-allow TLS 1.0/1.1 so the client can offer them.
    Security.setProperty("jdk.tls.disabledAlgorithms",
        "SSLv3, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL");
  }

  private static SSLContext serverContext;
  private static SSLContext clientContext;

  @BeforeAll
  static void certificate(@TempDir Path dir) throws Exception {
    Path ks = dir.resolve("server.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048",
        "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + out);
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, "changeit".toCharArray());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    serverContext = TlsPolicy.modern().newContext(kmf.getKeyManagers(), null);
    clientContext = SSLContext.getInstance("TLS");
    clientContext.init(null, tmf.getTrustManagers(), null);
  }

  /** Runs one handshake; returns the client's session, or throws the client's failure. */
  private static SSLSession handshake(boolean policy, List<String> protocols, List<String> suites) throws Exception {
    try (SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      if (policy) {
        TlsPolicy.modern().apply(serverContext, server);
      } else {
        server.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2", "TLSv1.1"});
        server.setEnabledCipherSuites(server.getSupportedCipherSuites());
      }
      CompletableFuture<Void> accepted = CompletableFuture.runAsync(() -> {
        try (SSLSocket s = (SSLSocket) server.accept()) {
          s.startHandshake();
          OutputStream o = s.getOutputStream();
          o.write(42);
          o.flush();
        } catch (Exception e) {
          // the client sees the failure too
        }
      });
      try (SSLSocket client = (SSLSocket) clientContext.getSocketFactory()
          .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
        if (protocols != null) {
          client.setEnabledProtocols(protocols.toArray(String[]::new));
          assertEquals(protocols, List.of(client.getEnabledProtocols()));
        }
        if (suites != null) {
          client.setEnabledCipherSuites(suites.toArray(String[]::new));
        }
        client.startHandshake();
        assertEquals(42, client.getInputStream().read());
        return client.getSession();
      } finally {
        accepted.get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void modernClient_connectsWithTls13() throws Exception {
    SSLSession s = handshake(true, null, null);
    assertEquals("TLSv1.3", s.getProtocol());
    assertTrue(TlsPolicy.modern().allows(s.getProtocol(), s.getCipherSuite()), s.getCipherSuite());
  }

  @Test
  void tls12Client_withEcdheGcm_connects() throws Exception {
    SSLSession s = handshake(true, List.of("TLSv1.2"), List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
    assertEquals("TLSv1.2", s.getProtocol());
    assertEquals("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", s.getCipherSuite());
  }

  @Test
  void tls11OnlyClient_isRefused() throws Exception {
    List<String> tls11 = List.of("TLSv1.1");
    List<String> suites = List.of("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
    assertEquals("TLSv1.1", handshake(false, tls11, suites).getProtocol(), "control: an open server accepts it");
    Exception e = assertThrows(Exception.class, () -> handshake(true, tls11, suites));
    assertInstanceOf(SSLHandshakeException.class, rootOrSelf(e), e.toString());
  }

  @Test
  void cbcOnlyClient_isRefused() throws Exception {
    List<String> tls12 = List.of("TLSv1.2");
    List<String> cbc = List.of("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
    assertTrue(handshake(false, tls12, cbc).getCipherSuite().contains("CBC"), "control: an open server accepts it");
    Exception e = assertThrows(Exception.class, () -> handshake(true, tls12, cbc));
    assertInstanceOf(SSLHandshakeException.class, rootOrSelf(e), e.toString());
  }

  private static Throwable rootOrSelf(Throwable t) {
    while (!(t instanceof SSLHandshakeException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
