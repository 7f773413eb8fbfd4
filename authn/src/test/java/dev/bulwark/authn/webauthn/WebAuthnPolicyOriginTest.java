package dev.bulwark.authn.webauthn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Origins are parsed exactly; plain http only on the loopback names themselves. */
class WebAuthnPolicyOriginTest {

  private static WebAuthnPolicy with(String origin) {
    return WebAuthnPolicy.of("example.com", "Example", origin);
  }

  @Test
  void httpsOrigins_andLoopbackHttp_areAccepted() {
    for (String ok : new String[] {"https://example.com", "https://login.example.com:8443", "http://localhost",
        "http://localhost:8080", "http://127.0.0.1:3000", "http://[::1]:8080", "http://[::1]"}) {
      assertEquals(Set.of(ok), with(ok).origins(), ok);
    }
  }

  @Test
  void lookalikeLoopbackHosts_areRefused() {
    for (String bad : new String[] {"http://localhost.attacker.example", "http://localhost@attacker.example",
        "http://localhostattacker.example", "http://localhost:8080@attacker.example", "http://127.0.0.1.nip.io",
        "http://127.0.0.2", "http://example.com", "http://[::2]"}) {
      assertThrows(IllegalArgumentException.class, () -> with(bad), bad);
    }
  }

  @Test
  void anythingBeyondSchemeHostAndPort_isRefused() {
    for (String bad : new String[] {"https://example.com/", "https://example.com/login", "https://example.com?x=1",
        "https://example.com#f", "https://user@example.com", "HTTPS://example.com", "https://Example.com",
        "https://", "example.com", "ftp://example.com", "https://example.com:0", "https://example.com:",
        "javascript:alert(1)", "https://exa mple.com"}) {
      assertThrows(IllegalArgumentException.class, () -> with(bad), bad);
    }
  }
}
