package dev.bulwark.authn.webauthn;

import dev.bulwark.testing.webauthn.VirtualAuthenticator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WebAuthnProperties {

  private static final Fixture FIXTURE = new Fixture();

  private static final class Fixture {
    final InMemoryCredentialStore store = new InMemoryCredentialStore();
    final WebAuthn webauthn = WebAuthn.builder(WebAuthnPolicy.of("example.com", "Example", "https://example.com"), store)
        .clock(FakeClock.atDefaultEpoch()).listener(SecurityEventListener.NONE).build();
    final VirtualAuthenticator authenticator = new VirtualAuthenticator("https://example.com");

    Fixture() {
      Ceremony reg = webauthn.startRegistration("alice", "Alice");
      try {
        webauthn.finishRegistration(reg.id(), authenticator.register(reg.optionsJson()));
      } catch (WebAuthnException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Flipping any bit of authenticatorData, clientDataJSON or the signature makes the login fail, storing nothing. */
  @Test
  void anyTamperedAssertionFails() {
    PropertyRunner.forAll(30, c -> {
      int part = c.draw("part", Generators.ints(0, 2));
      int position = c.draw("position", Generators.ints(0, 4096));
      int bit = c.draw("bit", Generators.ints(0, 7));
      // One registration for all tries: each try runs a fresh authentication ceremony.
      VirtualAuthenticator.Credential cred = FIXTURE.authenticator.credentials().get(0);
      WebAuthn w = FIXTURE.webauthn;
      InMemoryCredentialStore store = FIXTURE.store;
      VirtualAuthenticator authenticator = FIXTURE.authenticator;

      Ceremony a = w.startAuthentication(Optional.of("alice"));
      byte[] cd = VirtualAuthenticator.clientData("webauthn.get", VirtualAuthenticator.challengeOf(a.optionsJson()),
          "https://example.com");
      byte[] ad = VirtualAuthenticator.authData("example.com", authenticator.flags(false), 1, new byte[0]);
      byte[] sig = VirtualAuthenticator.sign(cred, VirtualAuthenticator.concat(ad, VirtualAuthenticator.sha256(cd)));
      byte[] target = part == 0 ? ad : part == 1 ? cd : sig;
      target[position % target.length] ^= (byte) (1 << bit);
      String tampered = VirtualAuthenticator.assertionJson(cred, cd, ad, sig);
      assertThrows(WebAuthnException.class, () -> w.finishAuthentication(a.id(), tampered));
      assertEquals(0, store.forUsername("alice").iterator().next().signatureCount());
    });
  }
}
