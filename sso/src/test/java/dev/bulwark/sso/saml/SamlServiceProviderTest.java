package dev.bulwark.sso.saml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.sso.Protocol;
import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoAssuranceLevel;
import dev.bulwark.sso.SsoEvent;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.TestKeys;
import dev.bulwark.sso.VerifiedIdentity;
import dev.bulwark.sso.internal.RedirectBinding;
import dev.bulwark.sso.internal.XmlSigner;
import dev.bulwark.testing.FakeClock;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SamlServiceProviderTest {

  static final String SP = "https://app.example/saml";
  static final URI ACS = URI.create("https://app.example/saml/acs");
  static final String IDP = "https://idp.example/";

  final FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T10:00:00Z"));
  final List<SsoEvent> events = new ArrayList<>();
  final IdpMetadata idp = IdpMetadata.of(IDP, List.of(TestKeys.IDP_CERT.getPublicKey()),
      URI.create("https://idp.example/sso"), Optional.of(URI.create("https://idp.example/slo")), false);

  SamlServiceProvider.Builder builder() {
    return SamlServiceProvider.builder(SP, ACS, idp).clock(clock).listener(events::add);
  }

  /** A signed assertion (standalone, so exclusive c14n keeps it valid inside any response). */
  String assertion(String id, String requestId, String context) {
    Instant now = clock.instant();
    String xml = "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"" + id
        + "\" Version=\"2.0\" IssueInstant=\"" + now + "\"><saml:Issuer>" + IDP + "</saml:Issuer>"
        + "<saml:Subject><saml:NameID>alice</saml:NameID><saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">"
        + "<saml:SubjectConfirmationData Recipient=\"" + ACS + "\" InResponseTo=\"" + requestId + "\" NotOnOrAfter=\""
        + now.plusSeconds(300) + "\"/></saml:SubjectConfirmation></saml:Subject>"
        + "<saml:Conditions NotBefore=\"" + now.minusSeconds(10) + "\" NotOnOrAfter=\"" + now.plusSeconds(300) + "\">"
        + "<saml:AudienceRestriction><saml:Audience>" + SP + "</saml:Audience></saml:AudienceRestriction></saml:Conditions>"
        + "<saml:AuthnStatement AuthnInstant=\"" + now + "\" SessionIndex=\"idx-1\"><saml:AuthnContext>"
        + "<saml:AuthnContextClassRef>" + context + "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
        + "<saml:AttributeStatement><saml:Attribute Name=\"groups\"><saml:AttributeValue>admins</saml:AttributeValue>"
        + "<saml:AttributeValue>staff</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>";
    return new String(XmlSigner.signRoot(xml.getBytes(StandardCharsets.UTF_8), TestKeys.IDP_KEY, Optional.empty()),
        StandardCharsets.UTF_8).replaceFirst("^<\\?xml[^>]*\\?>", "");
  }

  String response(String requestId, String assertion) {
    String xml = "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_r1\" Version=\"2.0\""
        + " IssueInstant=\"" + clock.instant() + "\" Destination=\"" + ACS + "\" InResponseTo=\"" + requestId + "\">"
        + "<saml:Issuer xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\">" + IDP + "</saml:Issuer>"
        + "<samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>"
        + assertion + "</samlp:Response>";
    return Base64.getEncoder().encodeToString(xml.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void signedAssertion_becomesVerifiedIdentity_andSuccessEvent() throws Exception {
    SamlServiceProvider sp = builder().build();
    SentRequest sent = sp.authnRequestRedirect("").request();
    VerifiedIdentity id = sp.validate(response(sent.id(),
        assertion("_a1", sent.id(), "https://refeds.org/profile/mfa")), sent);
    assertEquals(Protocol.SAML2, id.protocol());
    assertEquals(IDP, id.issuer());
    assertEquals("alice", id.subject());
    assertEquals(List.of("admins", "staff"), id.attributes().get("groups"));
    assertEquals(SsoAssuranceLevel.AAL2, id.assurance());
    assertEquals("idx-1", id.sessionIndex());
    assertEquals(1, events.size());
    assertEquals(SsoEvent.Type.LOGIN_SUCCEEDED, events.get(0).type());
    assertEquals(Optional.of("alice"), events.get(0).subject());
  }

  @Test
  void refusal_emitsEventWithReason_andNoSubject() throws Exception {
    SamlServiceProvider sp = builder().build();
    SentRequest sent = sp.authnRequestRedirect("").request();
    String ok = response(sent.id(), assertion("_a2", sent.id(), "x"));
    sp.validate(ok, sent);
    assertEquals(RefusalReason.REPLAYED, assertThrows(SsoRefusedException.class, () -> sp.validate(ok, sent)).reason());
    SsoEvent last = events.get(events.size() - 1);
    assertEquals(SsoEvent.Type.LOGIN_REFUSED, last.type());
    assertEquals(Optional.of(RefusalReason.REPLAYED), last.reason());
    assertEquals(Optional.empty(), last.subject());
  }

  @Test
  void replayCacheDown_refusesWithStoreUnavailable() throws Exception {
    SamlServiceProvider sp = builder().replayCache((i, id, exp) -> { throw new IllegalStateException("db down"); })
        .build();
    SentRequest sent = sp.authnRequestRedirect("").request();
    assertEquals(RefusalReason.STORE_UNAVAILABLE, assertThrows(SsoRefusedException.class,
        () -> sp.validate(response(sent.id(), assertion("_a7", sent.id(), "x")), sent)).reason());
  }

  @Test
  void failingListener_doesNotChangeTheOutcome() throws Exception {
    SamlServiceProvider sp = builder().listener(e -> { throw new IllegalStateException("down"); }).build();
    SentRequest sent = sp.authnRequestRedirect("").request();
    assertEquals("alice", sp.validate(response(sent.id(), assertion("_a3", sent.id(), "x")), sent).subject());
  }

  @Test
  void clockSkew_isBounded() throws Exception {
    SamlServiceProvider sp = builder().clockSkew(Duration.ofMinutes(1)).build();
    SentRequest sent = sp.authnRequestRedirect("").request();
    String r = response(sent.id(), assertion("_a4", sent.id(), "x"));
    clock.advance(Duration.ofSeconds(300 + 59));
    SamlServiceProvider sp2 = builder().clockSkew(Duration.ofMinutes(1)).build();
    assertEquals("alice", sp2.validate(r, sent).subject(), "within skew");
    clock.advance(Duration.ofSeconds(2));
    assertEquals(RefusalReason.EXPIRED,
        assertThrows(SsoRefusedException.class, () -> sp.validate(r, sent)).reason());
    assertThrows(IllegalArgumentException.class, () -> builder().clockSkew(Duration.ofMinutes(6)));
  }

  @Test
  void responseForAnotherRequest_isRefused() throws Exception {
    SamlServiceProvider sp = builder().build();
    SentRequest sent = sp.authnRequestRedirect("").request();
    SentRequest other = sp.authnRequestRedirect("").request();
    assertEquals(RefusalReason.REQUEST_MISMATCH, assertThrows(SsoRefusedException.class,
        () -> sp.validate(response(sent.id(), assertion("_a5", sent.id(), "x")), other)).reason());
  }

  @Test
  void authnRequestRedirect_unsignedByDefault_andNamesUs() throws Exception {
    SamlRedirect r = builder().build().authnRequestRedirect("rs");
    String q = r.location().getRawQuery();
    assertFalse(q.contains("Signature="));
    String b64 = URLDecoder.decode(q.substring("SAMLRequest=".length(), q.indexOf('&')), StandardCharsets.UTF_8);
    String xml = new String(RedirectBinding.inflate(Base64.getDecoder().decode(b64), 100_000), StandardCharsets.UTF_8);
    assertTrue(xml.contains("ID=\"" + r.request().id() + "\""));
    assertTrue(xml.contains("AssertionConsumerServiceURL=\"" + ACS + "\""));
    assertTrue(xml.contains(">" + SP + "</saml:Issuer>"));
  }

  @Test
  void idpWantingSignedRequests_getsThem_orBuildFails() throws Exception {
    IdpMetadata wants = IdpMetadata.of(IDP, idp.signingKeys(), URI.create("https://idp.example/sso"), Optional.empty(), true);
    assertThrows(IllegalStateException.class, () -> SamlServiceProvider.builder(SP, ACS, wants).build());
    SamlServiceProvider sp = SamlServiceProvider.builder(SP, ACS, wants)
        .signingKey(TestKeys.SP_KEY, TestKeys.SP_CERT).build();
    String q = sp.authnRequestRedirect("x").location().getRawQuery();
    assertTrue(q.contains("&SigAlg=") && q.contains("&Signature="));
    // The SP's own signature verifies with the SP's key over the raw query.
    RedirectBinding.decodeSigned(q, "SAMLRequest", List.of(TestKeys.SP_CERT.getPublicKey()), 100_000);
    SamlPostForm post = sp.authnRequestPost("x");
    assertTrue(new String(Base64.getDecoder().decode(post.samlRequest()), StandardCharsets.UTF_8)
        .contains("SignatureValue"));
    assertTrue(post.html().contains("name=\"SAMLRequest\""));
  }

  @Test
  void metadata_isParseableAndNamesEndpointsAndKeys() throws Exception {
    SamlServiceProvider sp = builder().signingKey(TestKeys.SP_KEY, TestKeys.SP_CERT)
        .singleLogoutService(URI.create("https://app.example/saml/slo")).build();
    String md = sp.metadata();
    assertTrue(md.contains("entityID=\"" + SP + "\""));
    assertTrue(md.contains("Location=\"" + ACS + "\""));
    assertTrue(md.contains("use=\"signing\""));
    assertTrue(md.contains("WantAssertionsSigned=\"true\""));
    dev.bulwark.sso.internal.SafeXml.parse(md.getBytes(StandardCharsets.UTF_8), 100_000);
  }

  @Test
  void logout_requestIsSigned_andResponseValidatedOverRawQuery() throws Exception {
    SamlServiceProvider sp = builder().signingKey(TestKeys.SP_KEY, TestKeys.SP_CERT)
        .singleLogoutService(URI.create("https://app.example/saml/slo")).build();
    SentRequest login = sp.authnRequestRedirect("").request();
    VerifiedIdentity id = sp.validate(response(login.id(), assertion("_a6", login.id(), "x")), login);
    SamlRedirect out = sp.logoutRequest(id, "bye");
    assertTrue(out.location().toString().startsWith("https://idp.example/slo?SAMLRequest="));
    String lr = "<samlp:LogoutResponse xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_l1\" Version=\"2.0\""
        + " InResponseTo=\"" + out.request().id() + "\" Destination=\"https://app.example/saml/slo\">"
        + "<saml:Issuer xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\">" + IDP + "</saml:Issuer>"
        + "<samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>"
        + "</samlp:LogoutResponse>";
    String q = RedirectBinding.encode("SAMLResponse", lr, "bye", TestKeys.IDP_KEY);
    sp.validateLogoutResponse(q, out.request());
    assertEquals(SsoEvent.Type.LOGOUT_SUCCEEDED, events.get(events.size() - 1).type());
    assertEquals(RefusalReason.REQUEST_MISMATCH, assertThrows(SsoRefusedException.class,
        () -> sp.validateLogoutResponse(q, login)).reason());
    String forged = RedirectBinding.encode("SAMLResponse", lr, "bye", TestKeys.SP_KEY);
    assertEquals(RefusalReason.SIGNATURE_INVALID, assertThrows(SsoRefusedException.class,
        () -> sp.validateLogoutResponse(forged, out.request())).reason());
    assertEquals(SsoEvent.Type.LOGOUT_REFUSED, events.get(events.size() - 1).type());
  }

  @Test
  void verifiedIdentity_copiesAttributes() {
    List<String> values = new ArrayList<>(List.of("a"));
    VerifiedIdentity id = new VerifiedIdentity(Protocol.SAML2, "i", "s", Map.of("k", values), "", SsoAssuranceLevel.AAL1,
        Instant.EPOCH, "");
    values.add("b");
    assertEquals(List.of("a"), id.attributes().get("k"));
  }
}
