package dev.bulwark.testkit.authn.webauthn;

import dev.bulwark.testing.webauthn.VirtualAuthenticator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.authn.webauthn.Ceremony;
import dev.bulwark.authn.webauthn.InMemoryCredentialStore;
import dev.bulwark.authn.webauthn.WebAuthn;
import dev.bulwark.authn.webauthn.WebAuthnException;
import dev.bulwark.authn.webauthn.WebAuthnLogin;
import dev.bulwark.authn.webauthn.WebAuthnPolicy;
import dev.bulwark.testing.FakeClock;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VirtualAuthenticatorTest {

  @Test
  void drivesARealCeremony_andAReplayFails() throws Exception {
    FakeClock clock = FakeClock.atDefaultEpoch();
    WebAuthn w = WebAuthn.builder(WebAuthnPolicy.of("example.com", "Example", "https://example.com"),
        new InMemoryCredentialStore()).clock(clock).build();
    VirtualAuthenticator key = new VirtualAuthenticator("https://example.com");
    Ceremony reg = w.startRegistration("alice", "Alice");
    w.finishRegistration(reg.id(), key.register(reg.optionsJson()));
    Ceremony a = w.startAuthentication(Optional.empty());
    String response = key.authenticate(a.optionsJson());
    WebAuthnLogin login = w.finishAuthentication(a.id(), response);
    assertEquals("alice", login.username());
    Ceremony b = w.startAuthentication(Optional.empty());
    assertEquals(WebAuthnException.Reason.VERIFICATION_FAILED,
        assertThrows(WebAuthnException.class, () -> w.finishAuthentication(b.id(), response)).reason());
  }
}
