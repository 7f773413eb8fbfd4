package dev.bulwark.sso.saml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoEvent;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.TestKeys;
import dev.bulwark.sso.internal.RedirectBinding;
import dev.bulwark.sso.internal.XmlSigner;
import dev.bulwark.testing.FakeClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Identity-provider-initiated Single Logout, both bindings, and every way a request is refused. */
class IdpLogoutTest {

  static final String SP = "https://app.example/saml";
  static final URI ACS = URI.create("https://app.example/saml/acs");
  static final URI SLO = URI.create("https://app.example/saml/slo");
  static final String IDP = "https://idp.example/";
  static final URI IDP_SLO = URI.create("https://idp.example/slo");

  final FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T10:00:00Z"));
  final List<SsoEvent> events = new ArrayList<>();
  final List<String> ended = new ArrayList<>();
  final IdpMetadata idp = IdpMetadata.of(IDP, List.of(TestKeys.IDP_CERT.getPublicKey()),
      URI.create("https://idp.example/sso"), Optional.of(IDP_SLO), false);
  final SamlServiceProvider sp = SamlServiceProvider.builder(SP, ACS, idp).clock(clock).listener(events::add)
      .signingKey(TestKeys.SP_KEY, TestKeys.SP_CERT).singleLogoutService(SLO).build();

  /** Records each call and ends one session. */
  final SessionTerminator terminator = (subject, indexes) -> {
    ended.add(subject + indexes);
    return 1;
  };

  String request(String id, String issuer, String destination, Instant issued, String extraAttr, String nameIdXml) {
    return "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\""
        + " xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"" + id + "\" Version=\"2.0\" IssueInstant=\""
        + issued + "\"" + (destination == null ? "" : " Destination=\"" + destination + "\"") + extraAttr + ">"
        + "<saml:Issuer>" + issuer + "</saml:Issuer>" + nameIdXml
        + "<samlp:SessionIndex>idx-1</samlp:SessionIndex></samlp:LogoutRequest>";
  }

  String request(String id) {
    return request(id, IDP, SLO.toString(), clock.instant(), "", "<saml:NameID>alice</saml:NameID>");
  }

  static String redirect(String xml, PrivateKey key) {
    return RedirectBinding.encode("SAMLRequest", xml, "rs-1", key);
  }

  static String post(String xml, PrivateKey key) {
    byte[] b = xml.getBytes(StandardCharsets.UTF_8);
    if (key != null) {
      b = XmlSigner.signRoot(b, key, Optional.of(TestKeys.SP_CERT));
    }
    return Base64.getEncoder().encodeToString(b);
  }

  static String signedXml(String xml, PrivateKey key) {
    return new String(XmlSigner.signRoot(xml.getBytes(StandardCharsets.UTF_8), key, Optional.empty()),
        StandardCharsets.UTF_8).replaceFirst("^<\\?xml[^>]*\\?>", "");
  }

  void refused(RefusalReason reason, Executable call) {
    SsoRefusedException e = assertThrows(SsoRefusedException.class, call);
    assertEquals(reason, e.reason(), e.getMessage());
    assertEquals(List.of(), ended, "the terminator must not be called for a refused request");
    SsoEvent last = events.get(events.size() - 1);
    assertEquals(SsoEvent.Type.LOGOUT_REFUSED, last.type());
    assertEquals(Optional.of(reason), last.reason());
    assertEquals(Optional.empty(), last.subject());
  }

  /** Checks the answer's query signature with the SP's certificate and returns its XML. */
  static String answer(IdpLogout out) throws SsoRefusedException {
    String location = out.responseLocation().toString();
    assertTrue(location.startsWith(IDP_SLO + "?SAMLResponse="), location);
    String query = location.substring(location.indexOf('?') + 1);
    assertEquals("rs-1", RedirectBinding.relayState(query));
    return new String(RedirectBinding.decodeSigned(query, "SAMLResponse",
        List.of(TestKeys.SP_CERT.getPublicKey()), 64 * 1024), StandardCharsets.UTF_8);
  }

  @Test
  void redirect_signedRequest_endsSessions_andAnswersSignedSuccess() throws Exception {
    IdpLogout out = sp.handleLogoutRequest(redirect(request("_lr1"), TestKeys.IDP_KEY), terminator);
    assertEquals(List.of("alice[idx-1]"), ended);
    assertTrue(out.success());
    assertEquals("alice", out.subject());
    assertEquals(List.of("idx-1"), out.sessionIndexes());
    assertEquals(1, out.sessionsEnded());
    String xml = answer(out);
    assertTrue(xml.contains("InResponseTo=\"_lr1\""), xml);
    assertTrue(xml.contains("Destination=\"" + IDP_SLO + "\""), xml);
    assertTrue(xml.contains("<saml:Issuer>" + SP + "</saml:Issuer>"), xml);
    assertTrue(xml.contains("status:Success"), xml);
    SsoEvent last = events.get(events.size() - 1);
    assertEquals(SsoEvent.Type.LOGOUT_SUCCEEDED, last.type());
    assertEquals(Optional.of("alice"), last.subject());
  }

  @Test
  void post_signedRequest_endsSessions_andAnswersSignedSuccess() throws Exception {
    IdpLogout out = sp.handleLogoutRequestPost(post(request("_lp1"), TestKeys.IDP_KEY), "rs-1", terminator);
    assertEquals(List.of("alice[idx-1]"), ended);
    assertTrue(out.success());
    assertTrue(answer(out).contains("InResponseTo=\"_lp1\""));
  }

  @Test
  void noSessionEnded_orTerminatorFailure_isAResponderStatus() throws Exception {
    IdpLogout none = sp.handleLogoutRequest(redirect(request("_n1"), TestKeys.IDP_KEY), (s, i) -> 0);
    assertFalse(none.success());
    assertEquals(0, none.sessionsEnded());
    assertTrue(answer(none).contains("status:Responder"));
    assertEquals(SsoEvent.Type.LOGOUT_INCOMPLETE, events.get(events.size() - 1).type());
    IdpLogout failed = sp.handleLogoutRequest(redirect(request("_n2"), TestKeys.IDP_KEY), (s, i) -> {
      throw new IllegalStateException("session store down");
    });
    assertFalse(failed.success());
    assertTrue(answer(failed).contains("status:Responder"));
    assertEquals(SsoEvent.Type.LOGOUT_INCOMPLETE, events.get(events.size() - 1).type());
  }

  @Test
  void requestWithoutSessionIndex_endsAllOfTheSubjectsSessions() throws Exception {
    String xml = request("_all").replace("<samlp:SessionIndex>idx-1</samlp:SessionIndex>", "");
    IdpLogout out = sp.handleLogoutRequest(redirect(xml, TestKeys.IDP_KEY), terminator);
    assertEquals(List.of("alice[]"), ended);
    assertEquals(List.of(), out.sessionIndexes());
  }

  @Test
  void redirect_unsigned_isRefused() {
    refused(RefusalReason.UNSIGNED, () -> sp.handleLogoutRequest(redirect(request("_u"), null), terminator));
  }

  @Test
  void redirect_signedByAnotherKey_isRefused() {
    refused(RefusalReason.SIGNATURE_INVALID,
        () -> sp.handleLogoutRequest(redirect(request("_k"), TestKeys.SP_KEY), terminator));
  }

  @Test
  void redirect_messageSwappedUnderASignature_isRefused() {
    String genuine = redirect(request("_g"), TestKeys.IDP_KEY);
    String forged = redirect(request("_g").replace("alice", "bob"), null);
    String swapped = forged.substring(0, forged.indexOf('&')) + genuine.substring(genuine.indexOf('&'));
    refused(RefusalReason.SIGNATURE_INVALID, () -> sp.handleLogoutRequest(swapped, terminator));
  }

  @Test
  void redirect_sha1SignatureAlgorithm_isRefused() {
    String q = redirect(request("_s1"), TestKeys.IDP_KEY)
        .replace("SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256",
            "SigAlg=http%3A%2F%2Fwww.w3.org%2F2000%2F09%2Fxmldsig%23rsa-sha1");
    refused(RefusalReason.ALGORITHM_FORBIDDEN, () -> sp.handleLogoutRequest(q, terminator));
  }

  @Test
  void redirect_embeddedXmlSignature_isRefused() {
    String xml = signedXml(request("_e"), TestKeys.IDP_KEY);
    refused(RefusalReason.UNEXPECTED_SIGNATURE,
        () -> sp.handleLogoutRequest(redirect(xml, TestKeys.IDP_KEY), terminator));
  }

  @Test
  void replayedRequest_isRefused_bothBindings() throws Exception {
    String q = redirect(request("_r"), TestKeys.IDP_KEY);
    sp.handleLogoutRequest(q, terminator);
    String p = post(request("_r2"), TestKeys.IDP_KEY);
    sp.handleLogoutRequestPost(p, "", terminator);
    ended.clear();
    refused(RefusalReason.REPLAYED, () -> sp.handleLogoutRequest(q, terminator));
    refused(RefusalReason.REPLAYED, () -> sp.handleLogoutRequestPost(p, "", terminator));
    // the same ID under the other binding is a replay too
    refused(RefusalReason.REPLAYED,
        () -> sp.handleLogoutRequestPost(post(request("_r"), TestKeys.IDP_KEY), "", terminator));
  }

  @Test
  void wrongOrMissingDestination_isRefused() {
    String other = request("_d", IDP, "https://other.example/slo", clock.instant(), "", "<saml:NameID>alice</saml:NameID>");
    refused(RefusalReason.DESTINATION_MISMATCH,
        () -> sp.handleLogoutRequest(redirect(other, TestKeys.IDP_KEY), terminator));
    String none = request("_d2", IDP, null, clock.instant(), "", "<saml:NameID>alice</saml:NameID>");
    refused(RefusalReason.DESTINATION_MISMATCH,
        () -> sp.handleLogoutRequestPost(post(none, TestKeys.IDP_KEY), "", terminator));
  }

  @Test
  void anotherIssuer_isRefused() {
    String xml = request("_i", "https://evil.example/", SLO.toString(), clock.instant(), "",
        "<saml:NameID>alice</saml:NameID>");
    refused(RefusalReason.ISSUER_MISMATCH, () -> sp.handleLogoutRequest(redirect(xml, TestKeys.IDP_KEY), terminator));
  }

  @Test
  void expiredOldOrFutureRequests_areRefused() {
    String expired = request("_x1", IDP, SLO.toString(), clock.instant(),
        " NotOnOrAfter=\"" + clock.instant().minusSeconds(121) + "\"", "<saml:NameID>alice</saml:NameID>");
    refused(RefusalReason.EXPIRED, () -> sp.handleLogoutRequest(redirect(expired, TestKeys.IDP_KEY), terminator));
    String old = request("_x2", IDP, SLO.toString(), clock.instant().minus(Duration.ofMinutes(7)).minusSeconds(1), "",
        "<saml:NameID>alice</saml:NameID>");
    refused(RefusalReason.EXPIRED, () -> sp.handleLogoutRequestPost(post(old, TestKeys.IDP_KEY), "", terminator));
    String future = request("_x3", IDP, SLO.toString(), clock.instant().plusSeconds(121), "",
        "<saml:NameID>alice</saml:NameID>");
    refused(RefusalReason.NOT_YET_VALID, () -> sp.handleLogoutRequest(redirect(future, TestKeys.IDP_KEY), terminator));
  }

  @Test
  void withinTheClockSkew_isAccepted() throws Exception {
    String late = request("_w", IDP, SLO.toString(), clock.instant().minus(Duration.ofMinutes(6)), 
        " NotOnOrAfter=\"" + clock.instant().minusSeconds(60) + "\"", "<saml:NameID>alice</saml:NameID>");
    assertTrue(sp.handleLogoutRequest(redirect(late, TestKeys.IDP_KEY), terminator).success());
  }

  @Test
  void commentInNameId_isRefused() {
    String xml = request("_c", IDP, SLO.toString(), clock.instant(), "",
        "<saml:NameID>alice<!-- -->.evil</saml:NameID>");
    refused(RefusalReason.UNEXPECTED_CONTENT,
        () -> sp.handleLogoutRequestPost(post(xml, TestKeys.IDP_KEY), "", terminator));
  }

  @Test
  void encryptedOrMissingNameId_isRefused() {
    String enc = request("_m1", IDP, SLO.toString(), clock.instant(), "", "<saml:EncryptedID/>");
    refused(RefusalReason.MALFORMED, () -> sp.handleLogoutRequest(redirect(enc, TestKeys.IDP_KEY), terminator));
    String none = request("_m2", IDP, SLO.toString(), clock.instant(), "", "");
    refused(RefusalReason.MISSING_ELEMENT, () -> sp.handleLogoutRequest(redirect(none, TestKeys.IDP_KEY), terminator));
  }

  @Test
  void doctypeAndExternalEntities_areRefused_bothBindings() {
    String xxe = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
        + request("_t", IDP, SLO.toString(), clock.instant(), "", "<saml:NameID>&x;</saml:NameID>");
    refused(RefusalReason.DTD_FORBIDDEN, () -> sp.handleLogoutRequest(redirect(xxe, TestKeys.IDP_KEY), terminator));
    refused(RefusalReason.DTD_FORBIDDEN, () -> sp.handleLogoutRequestPost(
        Base64.getEncoder().encodeToString(xxe.getBytes(StandardCharsets.UTF_8)), "", terminator));
  }

  @Test
  void post_unsigned_isRefused() {
    refused(RefusalReason.UNSIGNED, () -> sp.handleLogoutRequestPost(post(request("_pu"), null), "", terminator));
  }

  @Test
  void post_signedByAnotherKeyCarriedInKeyInfo_isRefused() {
    refused(RefusalReason.SIGNATURE_INVALID,
        () -> sp.handleLogoutRequestPost(post(request("_pk"), TestKeys.SP_KEY), "", terminator));
  }

  @Test
  void post_nameIdChangedAfterSigning_isRefused() {
    String signed = signedXml(request("_pt"), TestKeys.IDP_KEY).replace(">alice<", ">bob<");
    refused(RefusalReason.SIGNATURE_INVALID, () -> sp.handleLogoutRequestPost(
        Base64.getEncoder().encodeToString(signed.getBytes(StandardCharsets.UTF_8)), "", terminator));
  }

  @Test
  void post_signatureWrapping_isRefused() {
    String genuine = signedXml(request("_orig"), TestKeys.IDP_KEY);
    // 1. The signed request hidden in Extensions of an unsigned forged one.
    String hidden = request("_evil", IDP, SLO.toString(), clock.instant(), "", "<saml:NameID>bob</saml:NameID>")
        .replace("</saml:Issuer>", "</saml:Issuer><samlp:Extensions>" + genuine + "</samlp:Extensions>");
    refused(RefusalReason.UNEXPECTED_SIGNATURE, () -> postRaw(hidden));
    // 2. The genuine signature moved onto a forged root that embeds the signed original.
    String sig = genuine.substring(genuine.indexOf("<ds:Signature"), genuine.indexOf("</ds:Signature>") + 15);
    String unsignedOriginal = genuine.replace(sig, "");
    String moved = request("_evil2", IDP, SLO.toString(), clock.instant(), "", "<saml:NameID>bob</saml:NameID>")
        .replace("</saml:Issuer>", "</saml:Issuer>" + sig + "<samlp:Extensions>" + unsignedOriginal + "</samlp:Extensions>");
    refused(RefusalReason.SIGNATURE_REFERENCE, () -> postRaw(moved));
    // 3. Same, the forged root reusing the original's ID (two elements with one ID).
    String sameId = moved.replace("ID=\"_evil2\"", "ID=\"_orig\"");
    refused(RefusalReason.DUPLICATE_ID, () -> postRaw(sameId));
    // 4. The forged root takes the original's ID and its signature, the original is dropped.
    String takeover = request("_orig", IDP, SLO.toString(), clock.instant(), "", "<saml:NameID>bob</saml:NameID>")
        .replace("</saml:Issuer>", "</saml:Issuer>" + sig);
    refused(RefusalReason.SIGNATURE_INVALID, () -> postRaw(takeover));
  }

  private void postRaw(String xml) throws SsoRefusedException {
    sp.handleLogoutRequestPost(Base64.getEncoder().encodeToString(xml.getBytes(StandardCharsets.UTF_8)), "",
        terminator);
  }

  @Test
  void oversizedOrGarbage_isRefused() {
    refused(RefusalReason.MALFORMED, () -> sp.handleLogoutRequestPost("%%%not-base64", "", terminator));
    refused(RefusalReason.TOO_LARGE, () -> sp.handleLogoutRequestPost("A".repeat(600 * 1024), "", terminator));
    refused(RefusalReason.MALFORMED, () -> sp.handleLogoutRequest("SAMLRequest", terminator));
  }

  @Test
  void withoutSigningKeyOrLogoutEndpoint_theSpCannotAnswer() {
    SamlServiceProvider noKey = SamlServiceProvider.builder(SP, ACS, idp).clock(clock).singleLogoutService(SLO).build();
    assertThrows(IllegalStateException.class,
        () -> noKey.handleLogoutRequest(redirect(request("_nk"), TestKeys.IDP_KEY), terminator));
    SamlServiceProvider noSlo = SamlServiceProvider.builder(SP, ACS, idp).clock(clock)
        .signingKey(TestKeys.SP_KEY, TestKeys.SP_CERT).build();
    assertThrows(IllegalStateException.class,
        () -> noSlo.handleLogoutRequestPost(post(request("_ns"), TestKeys.IDP_KEY), "", terminator));
    assertEquals(List.of(), ended);
  }

  @Test
  void metadata_advertisesBothLogoutBindings() {
    String md = sp.metadata();
    assertTrue(md.contains("bindings:HTTP-Redirect\" Location=\"" + SLO + "\""), md);
    assertTrue(md.contains("bindings:HTTP-POST\" Location=\"" + SLO + "\""), md);
  }
}
