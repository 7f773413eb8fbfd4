package dev.bulwark.sso.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.sso.Protocol;
import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoAssuranceLevel;
import dev.bulwark.sso.SsoEvent;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.VerifiedIdentity;
import dev.bulwark.testing.FakeClock;
import java.io.IOException;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OidcRelyingPartyTest {

  static final URI REDIRECT = URI.create("https://app.example/oidc/callback");
  // Nimbus stamps client assertions with the real time, so the fixture clock starts there.
  final FakeClock clock = FakeClock.at(Instant.ofEpochSecond(System.currentTimeMillis() / 1000).truncatedTo(ChronoUnit.SECONDS));
  final List<SsoEvent> events = new ArrayList<>();
  LocalProvider op;
  ProviderMetadata md;

  @BeforeEach
  void start() throws Exception {
    op = new LocalProvider(clock);
    md = ProviderMetadata.discover(URI.create(op.issuer), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    op.close();
  }

  OidcRelyingParty.Builder rp() {
    return OidcRelyingParty.builder(md, op.clientId, REDIRECT).clock(clock).listener(events::add);
  }

  @Test
  void codeFlow_withPkceAndSecretBasic_endsInVerifiedIdentity() throws Exception {
    OidcRelyingParty rp = rp().clientSecret(op.secret).fetchUserInfo().build();
    AuthorizationStart start = rp.begin();
    String q = start.location().getRawQuery();
    assertTrue(q.contains("code_challenge_method=S256") && q.contains("nonce=") && q.contains("state="));
    assertFalse(q.contains(start.pending().revealCodeVerifier()), "the verifier never leaves the server");
    OidcSignIn in = rp.complete(op.authorize(start.location()), start.pending());
    VerifiedIdentity id = in.identity();
    assertEquals(Protocol.OIDC, id.protocol());
    assertEquals(op.issuer, id.issuer());
    assertEquals("user-1", id.subject());
    assertEquals(Optional.of("alice@example.com"), id.attribute("email"));
    assertEquals(List.of("staff"), id.attributes().get("groups"));
    assertEquals(SsoAssuranceLevel.AAL2, id.assurance());
    assertEquals("sess-9", id.sessionIndex());
    assertEquals(SsoEvent.Type.LOGIN_SUCCEEDED, events.get(0).type());
    assertFalse(in.toString().contains(in.revealIdToken()));
    assertFalse(start.pending().toString().contains(start.pending().revealCodeVerifier()));
  }

  @Test
  void privateKeyJwt_authenticatesTheClient() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair kp = g.generateKeyPair();
    op.clientAssertionKey = kp.getPublic();
    OidcRelyingParty rp = rp().privateKeyJwt(kp.getPrivate(), "client-key-1").build();
    AuthorizationStart start = rp.begin();
    assertEquals("user-1", rp.complete(op.authorize(start.location()), start.pending()).identity().subject());
    // A different key is refused by the provider.
    op.clientAssertionKey = g.generateKeyPair().getPublic();
    AuthorizationStart again = rp.begin();
    assertEquals(RefusalReason.PROVIDER_ERROR, assertThrows(SsoRefusedException.class,
        () -> rp.complete(op.authorize(again.location()), again.pending())).reason());
  }

  @Test
  void stateMismatch_isRefused_beforeTheCodeIsExchanged() throws Exception {
    OidcRelyingParty rp = rp().clientSecret(op.secret).build();
    AuthorizationStart a = rp.begin();
    AuthorizationStart b = rp.begin();
    URI callback = op.authorize(a.location());
    assertEquals(RefusalReason.REQUEST_MISMATCH,
        assertThrows(SsoRefusedException.class, () -> rp.complete(callback, b.pending())).reason());
    assertEquals(0, op.tokenCalls.get());
    assertEquals(Optional.of(RefusalReason.REQUEST_MISMATCH), events.get(0).reason());
  }

  @Test
  void wrongCodeVerifier_isRefusedByTheProvider() throws Exception {
    OidcRelyingParty rp = rp().clientSecret(op.secret).build();
    AuthorizationStart a = rp.begin();
    PendingAuthorization p = a.pending();
    PendingAuthorization forged = new PendingAuthorization(p.state(), p.nonce(),
        new com.nimbusds.oauth2.sdk.pkce.CodeVerifier().getValue(), p.redirectUri());
    assertEquals(RefusalReason.PROVIDER_ERROR, assertThrows(SsoRefusedException.class,
        () -> rp.complete(op.authorize(a.location()), forged)).reason());
  }

  @Test
  void nonceMismatch_expiry_audience_issuer_areRefused() throws Exception {
    OidcRelyingParty rp = rp().clientSecret(op.secret).build();
    op.tamper = b -> b.claim("nonce", "other");
    assertEquals(RefusalReason.NONCE_MISMATCH, refusal(rp));
    op.tamper = b -> b.audience("another-client");
    assertEquals(RefusalReason.AUDIENCE_MISMATCH, refusal(rp));
    op.tamper = b -> b.audience(List.of("app", "another-client"));
    assertEquals(RefusalReason.AUDIENCE_MISMATCH, refusal(rp), "several audiences need azp");
    op.tamper = b -> b.issuer("https://evil.example/");
    assertEquals(RefusalReason.ISSUER_MISMATCH, refusal(rp));
    op.tamper = b -> b.expirationTime(Date.from(clock.instant().minusSeconds(61)));
    assertEquals(RefusalReason.EXPIRED, refusal(rp));
    op.tamper = b -> b.issueTime(Date.from(clock.instant().plusSeconds(120)));
    assertEquals(RefusalReason.NOT_YET_VALID, refusal(rp));
  }

  RefusalReason refusal(OidcRelyingParty rp) throws Exception {
    AuthorizationStart s = rp.begin();
    URI cb = op.authorize(s.location());
    return assertThrows(SsoRefusedException.class, () -> rp.complete(cb, s.pending())).reason();
  }

  @Test
  void keyRotation_triggersOneRefresh_andUnknownKidFloodIsRateLimited() throws Exception {
    OidcRelyingParty rp = rp().clientSecret(op.secret).jwksRefreshInterval(Duration.ofMinutes(1)).build();
    AuthorizationStart s1 = rp.begin();
    rp.complete(op.authorize(s1.location()), s1.pending());
    assertEquals(1, rp.jwksFetches());
    clock.advance(Duration.ofMinutes(2));
    op.rotate();
    AuthorizationStart s2 = rp.begin();
    assertEquals("user-1", rp.complete(op.authorize(s2.location()), s2.pending()).identity().subject());
    assertEquals(2, rp.jwksFetches(), "the new kid caused exactly one refresh");
    clock.advance(Duration.ofMinutes(2));
    var attacker = new RSAKeyGenerator(2048).generate();
    for (int i = 0; i < 20; i++) {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("random-" + i).build(),
          new JWTClaimsSet.Builder().issuer(op.issuer).subject("x").audience("app").build());
      jwt.sign(new RSASSASigner(attacker));
      assertEquals(RefusalReason.SIGNATURE_INVALID, assertThrows(SsoRefusedException.class,
          () -> rp.validateIdToken(jwt.serialize(), "n")).reason());
    }
    assertEquals(3, rp.jwksFetches(), "twenty unknown kids within the interval: one refresh");
  }

  @Test
  void unsignedAndHmacTokens_areRefused() throws Exception {
    OidcRelyingParty rp = rp().clientSecret(op.secret).build();
    JWTClaimsSet c = new JWTClaimsSet.Builder().issuer(op.issuer).subject("x").audience("app")
        .issueTime(Date.from(clock.instant())).expirationTime(Date.from(clock.instant().plusSeconds(60)))
        .claim("nonce", "n").build();
    assertEquals(RefusalReason.MALFORMED, assertThrows(SsoRefusedException.class,
        () -> rp.validateIdToken(new PlainJWT(c).serialize(), "n")).reason());
    SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), c);
    hs.sign(new MACSigner(op.secret.repeat(4)));
    assertEquals(RefusalReason.ALGORITHM_FORBIDDEN, assertThrows(SsoRefusedException.class,
        () -> rp.validateIdToken(hs.serialize(), "n")).reason());
  }

  @Test
  void providerError_andGarbageCallback_areTyped() throws Exception {
    OidcRelyingParty rp = rp().clientSecret(op.secret).build();
    AuthorizationStart s = rp.begin();
    URI err = URI.create(REDIRECT + "?error=access_denied&state=" + s.pending().state());
    assertEquals(RefusalReason.PROVIDER_ERROR,
        assertThrows(SsoRefusedException.class, () -> rp.complete(err, s.pending())).reason());
    assertEquals(RefusalReason.REQUEST_MISMATCH,
        assertThrows(SsoRefusedException.class, () -> rp.complete(URI.create(REDIRECT + "?code=abc"), s.pending()))
            .reason());
  }

  /**
   * A provider whose key set answers without end: the relying party reads one byte past 1 MiB and
   * refuses the sign-in, instead of filling its heap with the answer first.
   */
  @Test
  void aProviderAnsweringWithoutEnd_isCutOffAtOneMiB_andTheSignInRefused() throws Exception {
    OidcRelyingParty rp = rp().clientSecret(op.secret).build();
    AuthorizationStart start = rp.begin();
    URI callback = op.authorize(start.location());
    op.endlessAnswers = true;
    assertThrows(SsoRefusedException.class, () -> rp.complete(callback, start.pending()));
    assertTrue(op.endless.sent() > 0, "the key set was asked for");
    assertTrue(op.endless.sent() < (1L << 30), "the client read " + op.endless.sent() + " bytes");
  }

  @Test
  void discovery_refusesADocumentNamingAnotherIssuer() {
    op.discoveryIssuer = "https://evil.example/";
    assertThrows(IOException.class, () -> ProviderMetadata.discover(URI.create(op.issuer), Duration.ofSeconds(5)));
  }

  @Test
  void logout_sendsIdTokenHintAndReturnAddress() throws Exception {
    OidcRelyingParty rp = rp().clientSecret(op.secret).build();
    AuthorizationStart s = rp.begin();
    OidcSignIn in = rp.complete(op.authorize(s.location()), s.pending());
    URI out = rp.logout(in, URI.create("https://app.example/bye"), "st");
    assertTrue(out.toString().startsWith(op.issuer + "/logout?"));
    assertTrue(out.getRawQuery().contains("id_token_hint=" + in.revealIdToken()));
    assertTrue(out.getRawQuery().contains("post_logout_redirect_uri="));
  }

  @Test
  void build_needsExactlyOneClientAuthentication() {
    assertThrows(IllegalStateException.class, () -> rp().build());
  }
}
