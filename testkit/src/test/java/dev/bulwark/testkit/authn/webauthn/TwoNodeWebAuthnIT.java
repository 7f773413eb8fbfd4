package dev.bulwark.testkit.authn.webauthn;

import dev.bulwark.testing.webauthn.VirtualAuthenticator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.authn.webauthn.Ceremony;
import dev.bulwark.authn.webauthn.CounterPolicy;
import dev.bulwark.authn.webauthn.WebAuthn;
import dev.bulwark.authn.webauthn.WebAuthnException;
import dev.bulwark.authn.webauthn.WebAuthnPolicy;
import dev.bulwark.authn.webauthn.jdbc.JdbcChallengeStore;
import dev.bulwark.authn.webauthn.jdbc.JdbcCredentialStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A ceremony started on one node and finished on another, with PostgreSQL holding credentials and challenges. */
class TwoNodeWebAuthnIT {

  @Test
  void startOnA_finishOnB_counterPersisted_replayRefused() throws Exception {
    try (PostgresSchema db = PostgresSchema.create("authn_webauthn2")) {
      FakeClock clock = FakeClock.atDefaultEpoch();
      WebAuthnPolicy policy = WebAuthnPolicy.of("example.com", "Example", "https://example.com")
          .withCounterPolicy(CounterPolicy.REJECT);
      WebAuthn a = WebAuthn.builder(policy, new JdbcCredentialStore(db.dataSource()))
          .challenges(new JdbcChallengeStore(db.dataSource())).clock(clock).build();
      JdbcCredentialStore storeB = new JdbcCredentialStore(db.dataSource());
      WebAuthn b = WebAuthn.builder(policy, storeB).challenges(new JdbcChallengeStore(db.dataSource())).clock(clock).build();
      VirtualAuthenticator key = new VirtualAuthenticator("https://example.com");

      Ceremony reg = a.startRegistration("alice", "Alice");
      b.finishRegistration(reg.id(), key.register(reg.optionsJson()));
      for (int i = 1; i <= 2; i++) {
        Ceremony auth = b.startAuthentication(Optional.of("alice"));
        String response = key.authenticate(auth.optionsJson());
        a.finishAuthentication(auth.id(), response);
        assertEquals(i, storeB.forUsername("alice").iterator().next().signatureCount());
        assertEquals(WebAuthnException.Reason.UNKNOWN_CEREMONY,
            assertThrows(WebAuthnException.class, () -> b.finishAuthentication(auth.id(), response)).reason());
      }
      key.credentials().get(0).counter = 0; // a clone
      Ceremony auth = a.startAuthentication(Optional.of("alice"));
      String cloned = key.authenticate(auth.optionsJson());
      assertEquals(WebAuthnException.Reason.COUNTER_REGRESSED,
          assertThrows(WebAuthnException.class, () -> b.finishAuthentication(auth.id(), cloned)).reason());
    }
  }
}
