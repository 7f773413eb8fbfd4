package dev.bulwark.testkit.sso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.saml.IdpMetadata;
import dev.bulwark.sso.saml.SamlServiceProvider;
import dev.bulwark.sso.saml.SentRequest;
import dev.bulwark.testing.FakeClock;
import java.net.URI;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * The corpus against a service provider that decrypts assertions (and allows a covering response
 * signature), plus the encrypted and response-signed responses such a configuration accepts.
 */
class DecryptingSamlServiceProviderAttackTest extends SamlResponseAttackContract {

  static final URI ACS = URI.create("https://app.example/saml/acs");
  static final KeyPair SP_KEY = TestIdp.rsa();

  @Override
  protected String entityId() {
    return "https://app.example/saml";
  }

  @Override
  protected URI assertionConsumerService() {
    return ACS;
  }

  @Override
  protected Optional<KeyPair> decryptionKey() {
    return Optional.of(SP_KEY);
  }

  @Override
  protected SamlServiceProvider serviceProvider(IdpMetadata idp, Clock clock) {
    return SamlServiceProvider.builder(entityId(), ACS, idp).clock(clock)
        .decryptionKey(SP_KEY.getPrivate()).build();
  }

  @Test
  void encryptedSignedAssertion_isAccepted_andUnsignedOneRefused() throws Exception {
    FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T10:00:00Z"));
    TestIdp idp = new TestIdp();
    SamlServiceProvider sp = serviceProvider(idp.metadata(), clock);
    SentRequest sent = sp.authnRequestRedirect("").request();
    Document d = TestIdp.build(idp.spec(entityId(), ACS, sent.id(), clock.instant()));
    TestIdp.sign(TestIdp.assertion(d), idp.signing());
    TestIdp.encryptAssertion(d, SP_KEY.getPublic());
    assertEquals("alice@example.com", sp.validate(TestIdp.encode(d), sent).subject());

    Document u = TestIdp.build(idp.spec(entityId(), ACS, sent.id(), clock.instant()));
    TestIdp.encryptAssertion(u, SP_KEY.getPublic());
    assertEquals(RefusalReason.UNSIGNED,
        assertThrows(SsoRefusedException.class, () -> sp.validate(TestIdp.encode(u), sent)).reason());
  }

  @Test
  void responseSignatureAlone_acceptedOnlyAfterOptIn() throws Exception {
    FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T10:00:00Z"));
    TestIdp idp = new TestIdp();
    SamlServiceProvider strict = serviceProvider(idp.metadata(), clock);
    SamlServiceProvider optIn = SamlServiceProvider.builder(entityId(), ACS, idp.metadata()).clock(clock)
        .allowSignedResponseOnly().build();
    SentRequest sent = strict.authnRequestRedirect("").request();
    Document d = TestIdp.build(idp.spec(entityId(), ACS, sent.id(), clock.instant()));
    TestIdp.sign(d.getDocumentElement(), idp.signing());
    String r = TestIdp.encode(d);
    assertEquals(RefusalReason.UNSIGNED, assertThrows(SsoRefusedException.class, () -> strict.validate(r, sent)).reason());
    assertEquals("alice@example.com", optIn.validate(r, sent).subject());
    // The opt-in never accepts an unsigned response.
    Document u = TestIdp.build(idp.spec(entityId(), ACS, sent.id(), clock.instant()));
    assertEquals(RefusalReason.UNSIGNED,
        assertThrows(SsoRefusedException.class, () -> optIn.validate(TestIdp.encode(u), sent)).reason());
  }
}
