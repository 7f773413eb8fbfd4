package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

class TlsPolicyTest {

  @Test
  void parameters_allowOnlyTls13And12_withForwardSecretAeadSuites() throws Exception {
    SSLContext ctx = TlsPolicy.modern().newContext(null, null);
    SSLParameters p = TlsPolicy.modern().sslParameters(ctx);
    assertEquals(List.of("TLSv1.3", "TLSv1.2"), Arrays.asList(p.getProtocols()));
    for (String s : p.getCipherSuites()) {
      assertTrue(s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_") || s.startsWith("TLS_ECDHE_"), s);
      assertTrue(s.contains("GCM") || s.contains("CHACHA20_POLY1305"), s);
      assertFalse(s.contains("CBC") || s.contains("_RSA_WITH") && !s.contains("ECDHE"), s);
    }
    assertTrue(Arrays.asList(p.getCipherSuites()).contains("TLS_AES_128_GCM_SHA256"));
    assertEquals("HTTPS", p.getEndpointIdentificationAlgorithm());
    SSLEngine server = ctx.createSSLEngine();
    server.setUseClientMode(false);
    TlsPolicy.modern().apply(ctx, server);
    assertEquals(List.of("TLSv1.3", "TLSv1.2"), Arrays.asList(server.getEnabledProtocols()));
    assertTrue(TlsPolicy.modern().allows("TLSv1.3", "TLS_AES_256_GCM_SHA384"));
    assertFalse(TlsPolicy.modern().allows("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"));
    assertFalse(TlsPolicy.modern().allows("TLSv1.1", "TLS_AES_256_GCM_SHA384"));
  }

  @Test
  void hsts_headerValue() {
    assertEquals("max-age=63072000; includeSubDomains", Hsts.recommended().headerValue());
    assertEquals("max-age=31536000; includeSubDomains; preload",
        Hsts.builder().maxAge(Duration.ofDays(365)).preload(true).build().headerValue());
    assertEquals("max-age=300", Hsts.builder().maxAge(Duration.ofMinutes(5)).includeSubDomains(false).build().headerValue());
    assertEquals("Strict-Transport-Security", Hsts.headerName());
    assertThrows(IllegalArgumentException.class, () -> Hsts.builder().maxAge(Duration.ofDays(30)).preload(true).build());
    assertThrows(IllegalArgumentException.class,
        () -> Hsts.builder().includeSubDomains(false).preload(true).build());
    assertThrows(IllegalArgumentException.class, () -> Hsts.builder().maxAge(Duration.ofSeconds(-1)).build());
  }
}
