package dev.bulwark.testkit.sso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.VerifiedIdentity;
import dev.bulwark.sso.saml.IdpMetadata;
import dev.bulwark.sso.saml.SamlServiceProvider;
import dev.bulwark.sso.saml.SentRequest;
import dev.bulwark.testing.FakeClock;
import java.net.URI;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The XML signature wrapping and abuse corpus, as a contract a host runs against its own {@link
 * SamlServiceProvider} configuration: extend this class, return your service provider built with
 * the given (test) identity provider metadata and clock, and every crafted response in {@link
 * SamlAttackCorpus} must be refused with its expected reason, while the genuine response is
 * accepted (so the suite cannot pass by refusing everything).
 *
 * <p>Every response is generated at run time from a key the suite creates; nothing is stored.
 */
public abstract class SamlResponseAttackContract {

  /** Your service provider's entity ID. */
  protected abstract String entityId();

  /** Your assertion consumer service URL. */
  protected abstract URI assertionConsumerService();

  /**
   * Your service provider configuration, trusting {@code idp} (instead of your real identity
   * provider) and reading time from {@code clock}.
   */
  protected abstract SamlServiceProvider serviceProvider(IdpMetadata idp, Clock clock);

  /** Your decryption key pair, when your configuration decrypts assertions. */
  protected Optional<KeyPair> decryptionKey() {
    return Optional.empty();
  }

  private SamlAttackCorpus.Context context() {
    FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T10:00:00Z"));
    TestIdp idp = new TestIdp();
    SamlServiceProvider sp = serviceProvider(idp.metadata(), clock);
    SentRequest sent = sp.authnRequestRedirect("").request();
    return new SamlAttackCorpus.Context(
        idp, sp, sent, entityId(), assertionConsumerService(), clock, decryptionKey());
  }

  @Test
  void genuineResponse_isAccepted() throws SsoRefusedException {
    SamlAttackCorpus.Context c = context();
    VerifiedIdentity id = c.sp().validate(SamlAttackCorpus.genuine(c), c.sent());
    assertEquals("alice@example.com", id.subject());
    assertEquals(TestIdp.ENTITY_ID, id.issuer());
    assertEquals(List.of("alice@example.com"), id.attributes().get("email"));
  }

  @Test
  void corpus_hasAtLeastThirtyResponses() {
    assertTrue(SamlAttackCorpus.cases().size() >= 30, "corpus size " + SamlAttackCorpus.cases().size());
  }

  @TestFactory
  Stream<DynamicTest> everyCraftedResponse_isRefusedWithItsReason() {
    return SamlAttackCorpus.cases().stream()
        .map(
            k ->
                DynamicTest.dynamicTest(
                    k.name(),
                    () -> {
                      SamlAttackCorpus.Context c = context();
                      String response = k.craft().apply(c);
                      if (k.acceptFirst()) {
                        c.sp().validate(response, c.sent());
                      }
                      c.clock().advance(k.advance());
                      SsoRefusedException e =
                          assertThrows(
                              SsoRefusedException.class,
                              () -> c.sp().validate(response, c.sent()),
                              k.name() + " was accepted");
                      if (!k.expected().contains(e.reason())) {
                        fail(k.name() + ": refused with " + e.reason() + ", expected one of " + k.expected()
                            + " (" + e.getMessage() + ")");
                      }
                    }));
  }


}
