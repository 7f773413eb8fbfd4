package dev.bulwark.samples.notes;

import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.webauthn.WebAuthn;
import dev.bulwark.authn.webauthn.WebAuthnPolicy;
import dev.bulwark.authn.webauthn.spi.ChallengeStore;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import java.time.Clock;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * authn's {@link WebAuthn} for this server: relying party {@code localhost}, origin
 * {@code http://localhost:PORT} with the port the application server actually listens on (known
 * only once it started, so {@code server.port=0} works), user verification and resident keys
 * required. Every ceremony is started with the client's address, so the challenge store bounds
 * each source's open ceremonies.
 */
final class Passkeys implements ApplicationListener<WebServerInitializedEvent> {

  private final CredentialStore credentials;
  private final ChallengeStore challenges;
  private final Clock clock;
  private final SecurityEventListener listener;
  private volatile WebAuthn webAuthn;

  Passkeys(CredentialStore credentials, ChallengeStore challenges, Clock clock, SecurityEventListener listener) {
    this.credentials = credentials;
    this.challenges = challenges;
    this.clock = clock;
    this.listener = listener;
  }

  @Override
  public void onApplicationEvent(WebServerInitializedEvent event) {
    if (event.getApplicationContext().getServerNamespace() != null) {
      return; // the management server
    }
    String origin = "http://localhost:" + event.getWebServer().getPort();
    webAuthn = WebAuthn.builder(WebAuthnPolicy.of("localhost", "Bulwark Notes", origin)
            .withResidentKey(WebAuthnPolicy.ResidentKey.REQUIRED), credentials)
        .challenges(challenges).clock(clock).listener(listener).build();
  }

  /** The ceremonies; only once the server listens. */
  WebAuthn webAuthn() {
    WebAuthn w = webAuthn;
    if (w == null) {
      throw new IllegalStateException("passkeys are available once the server listens");
    }
    return w;
  }
}
