package dev.bulwark.authn.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.testsupport.RecordingListener;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.authn.token.TokenException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IdTokenValidatorTest {

  static final String ISS = "https://idp.example.com";
  static final String CLIENT = "bulwark-client";
  static final String NONCE = "n-0S6_WzA2Mj";

  static RSAKey rsa;
  static ECKey ec;
  static RSAKey stranger;

  final FakeClock clock = FakeClock.atDefaultEpoch();
  final RecordingListener events = new RecordingListener();

  @BeforeAll
  static void keys() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").keyUse(KeyUse.SIGNATURE).generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    stranger = new RSAKeyGenerator(2048).keyID("rsa-1").generate(); // same kid, other key
  }

  IdTokenValidator validator() {
    JWKSet set = new JWKSet(List.<JWK>of(rsa.toPublicJWK(), ec.toPublicJWK()));
    return IdTokenValidator.builder(ISS, CLIENT, set::toString).clock(clock).listener(events).build();
  }

  JWTClaimsSet.Builder claims() {
    Instant now = clock.instant();
    return new JWTClaimsSet.Builder().issuer(ISS).audience(CLIENT).subject("user-123")
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(10))))
        .claim("nonce", NONCE).claim("auth_time", now.getEpochSecond());
  }

  static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  String rs256(JWTClaimsSet c) throws Exception {
    return sign(new RSASSASigner(rsa), JWSAlgorithm.RS256, "rsa-1", c);
  }

  Reason reject(String token) {
    return assertThrows(TokenException.class, () -> validator().validate(token, NONCE)).reason();
  }

  @Test
  void validRs256AndEs256_areAccepted() throws Exception {
    IdToken t = validator().validate(rs256(claims().build()), NONCE);
    assertEquals("user-123", t.subject());
    assertEquals(clock.instant(), t.authTime().orElseThrow());
    IdToken e = validator().validate(sign(new ECDSASigner(ec), JWSAlgorithm.ES256, "ec-1", claims().build()), NONCE);
    assertEquals(ISS, e.issuer());
  }

  @Test
  void wrongIssuerAudienceNonce() throws Exception {
    assertEquals(Reason.WRONG_ISSUER, reject(rs256(claims().issuer("https://evil.example.com").build())));
    assertEquals(Reason.WRONG_AUDIENCE, reject(rs256(claims().audience("other").build())));
    assertEquals(Reason.WRONG_AUDIENCE, reject(rs256(claims().audience(List.of(CLIENT, "other")).build())));
    assertEquals(Reason.WRONG_AUDIENCE, reject(rs256(claims().claim("azp", "other").build())));
    assertEquals(Reason.NONCE_MISMATCH, reject(rs256(claims().claim("nonce", "other").build())));
    assertEquals(Reason.NONCE_MISMATCH, reject(rs256(claims().claim("nonce", null).build())));
    assertEquals(Reason.MISSING_CLAIM, reject(rs256(claims().subject(null).build())));
    assertEquals(7, events.count(SecurityEventType.TOKEN_INVALID));
  }

  @Test
  void expiry_withBoundedSkew() throws Exception {
    String token = rs256(claims().build());
    clock.advance(Duration.ofMinutes(10).plusSeconds(59));
    validator().validate(token, NONCE); // within the 60 s skew
    clock.advance(Duration.ofSeconds(1));
    assertEquals(Reason.EXPIRED, reject(token));
    assertThrows(IllegalArgumentException.class,
        () -> IdTokenValidator.builder(ISS, CLIENT, () -> new JWKSet().toString()).clockSkew(Duration.ofMinutes(6)));
  }

  @Test
  void issuedInTheFuture_isNotYetValid() throws Exception {
    Instant later = clock.instant().plus(Duration.ofMinutes(5));
    assertEquals(Reason.NOT_YET_VALID, reject(rs256(claims().issueTime(Date.from(later)).build())));
    assertEquals(Reason.NOT_YET_VALID, reject(rs256(claims().notBeforeTime(Date.from(later)).build())));
    assertEquals(Reason.MISSING_CLAIM, reject(rs256(claims().expirationTime(null).build())));
  }

  @Test
  void unknownKid_missingKid_otherKeyWithSameKid() throws Exception {
    assertEquals(Reason.UNKNOWN_KEY, reject(sign(new RSASSASigner(rsa), JWSAlgorithm.RS256, "rsa-2", claims().build())));
    assertEquals(Reason.UNKNOWN_KEY, reject(sign(new RSASSASigner(rsa), JWSAlgorithm.RS256, null, claims().build())));
    assertEquals(Reason.BAD_SIGNATURE, reject(sign(new RSASSASigner(stranger), JWSAlgorithm.RS256, "rsa-1", claims().build())));
  }

  @Test
  void algNone_isRefused() throws Exception {
    String none = new PlainJWT(claims().build()).serialize();
    assertEquals(Reason.ALGORITHM_NOT_ALLOWED, reject(none));
  }

  @Test
  void hmacWithThePublicKeyAsSecret_isRefused() throws Exception {
    byte[] publicKeyBytes = rsa.toPublicKey().getEncoded();
    String confused = sign(new MACSigner(publicKeyBytes), JWSAlgorithm.HS256, "rsa-1", claims().build());
    assertEquals(Reason.ALGORITHM_NOT_ALLOWED, reject(confused));
    assertThrows(IllegalArgumentException.class,
        () -> IdTokenValidator.builder(ISS, CLIENT, () -> new JWKSet().toString()).algorithms(Set.of("HS256")));
  }

  @Test
  void algorithmNotOnTheAllowList_orWrongKeyType() throws Exception {
    assertEquals(Reason.ALGORITHM_NOT_ALLOWED, reject(sign(new RSASSASigner(rsa), JWSAlgorithm.RS512, "rsa-1", claims().build())));
    // ES256 header pointing at the RSA key
    assertEquals(Reason.KEY_MISMATCH, reject(sign(new ECDSASigner(ec), JWSAlgorithm.ES256, "rsa-1", claims().build())));
    // RS256 header pointing at the EC key
    assertEquals(Reason.KEY_MISMATCH, reject(sign(new RSASSASigner(rsa), JWSAlgorithm.RS256, "ec-1", claims().build())));
  }

  @Test
  void encryptionKey_isNotUsedForSignatures() throws Exception {
    RSAKey enc = new RSAKeyGenerator(2048).keyID("enc-1").keyUse(KeyUse.ENCRYPTION).generate();
    JWKSet set = new JWKSet(List.<JWK>of(enc.toPublicJWK()));
    IdTokenValidator v = IdTokenValidator.builder(ISS, CLIENT, set::toString).clock(clock).build();
    String token = sign(new RSASSASigner(enc), JWSAlgorithm.RS256, "enc-1", claims().build());
    assertEquals(Reason.KEY_MISMATCH, assertThrows(TokenException.class, () -> v.validate(token, NONCE)).reason());
  }

  @Test
  void tampered_isBadSignature() throws Exception {
    String token = rs256(claims().build());
    String[] parts = token.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8)
        .replace("user-123", "admin-001");
    String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
        payload.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];
    assertEquals(Reason.BAD_SIGNATURE, reject(forged));
  }

  @Test
  void malformed_isTyped() {
    for (String bad : new String[] {null, "", "a.b.c", "....", "eyJhbGciOiJSUzI1NiJ9", "x".repeat(20_000),
        "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIn0.e30.AAAA"}) {
      TokenException e = assertThrows(TokenException.class, () -> validator().validate(bad, NONCE));
      assertEquals(true, e.reason() == Reason.MALFORMED || e.reason() == Reason.BAD_SIGNATURE
          || e.reason() == Reason.MISSING_CLAIM || e.reason() == Reason.WRONG_ISSUER, String.valueOf(e.reason()));
    }
  }
}
