package dev.bulwark.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * TLS 1.3 and TLS 1.2 with forward-secret AEAD cipher suites only (ECDHE with AES-GCM or
 * ChaCha20-Poly1305; TLS 1.3's suites are all of that kind). Apply it to every socket or engine:
 * Java's {@code SSLContext} has no way to restrict its defaults, so build one with
 * {@link #newContext} and pass its sockets, server sockets and engines through {@code apply}.
 *
 * <p>Immutable and thread-safe.
 */
public final class TlsPolicy {
  /** TLS protocol versions allowed. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /** Cipher suites allowed, in server preference order. */
  public static final List<String> CIPHER_SUITES = List.of(
      "TLS_AES_256_GCM_SHA384",
      "TLS_AES_128_GCM_SHA256",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");

  private static final TlsPolicy MODERN = new TlsPolicy();

  private TlsPolicy() {}

  /** The policy. */
  public static TlsPolicy modern() {
    return MODERN;
  }

  /** A new TLS context for the given key and trust managers (either may be null for defaults). */
  public SSLContext newContext(KeyManager[] keyManagers, TrustManager[] trustManagers) throws GeneralSecurityException {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keyManagers, trustManagers, new SecureRandom());
    return ctx;
  }

  /**
   * Parameters for {@code context}: the allowed protocols and suites that it supports, server
   * cipher order, and HTTPS endpoint identification for clients.
   *
   * @throws IllegalStateException if the context supports none of the allowed suites
   */
  public SSLParameters sslParameters(SSLContext context) {
    SSLParameters supported = context.getSupportedSSLParameters();
    Set<String> suites = Set.of(supported.getCipherSuites());
    Set<String> protocols = Set.of(supported.getProtocols());
    String[] s = CIPHER_SUITES.stream().filter(suites::contains).toArray(String[]::new);
    String[] p = PROTOCOLS.stream().filter(protocols::contains).toArray(String[]::new);
    if (s.length == 0 || p.length == 0) {
      throw new IllegalStateException("this TLS provider supports none of the allowed suites or protocols");
    }
    SSLParameters params = context.getDefaultSSLParameters();
    params.setProtocols(p);
    params.setCipherSuites(s);
    params.setUseCipherSuitesOrder(true);
    params.setEndpointIdentificationAlgorithm("HTTPS");
    return params;
  }

  /** Restricts a server socket. */
  public SSLServerSocket apply(SSLContext context, SSLServerSocket socket) {
    SSLParameters p = sslParameters(context);
    p.setEndpointIdentificationAlgorithm(null);
    socket.setSSLParameters(p);
    return socket;
  }

  /** Restricts a socket (client or accepted server side). */
  public SSLSocket apply(SSLContext context, SSLSocket socket) {
    SSLParameters p = sslParameters(context);
    if (!socket.getUseClientMode()) {
      p.setEndpointIdentificationAlgorithm(null);
    }
    socket.setSSLParameters(p);
    return socket;
  }

  /** Restricts an engine. */
  public SSLEngine apply(SSLContext context, SSLEngine engine) {
    SSLParameters p = sslParameters(context);
    if (!engine.getUseClientMode()) {
      p.setEndpointIdentificationAlgorithm(null);
    }
    engine.setSSLParameters(p);
    return engine;
  }

  /** Whether a negotiated protocol and suite are within this policy. */
  public boolean allows(String protocol, String cipherSuite) {
    return PROTOCOLS.contains(protocol) && CIPHER_SUITES.contains(cipherSuite);
  }

  @Override
  public String toString() {
    return "TlsPolicy" + Arrays.toString(PROTOCOLS.toArray());
  }
}
