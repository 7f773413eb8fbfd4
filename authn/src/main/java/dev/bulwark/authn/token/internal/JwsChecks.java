package dev.bulwark.authn.token.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.authn.token.TokenException;
import dev.bulwark.authn.token.TokenException.Reason;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/** The shared, strict part of validating a compact JWS: parse, algorithm, key, signature, times. */
public final class JwsChecks {

  /** Largest token accepted, in characters; ID tokens are a few KiB at most. */
  public static final int MAX_TOKEN_CHARS = 16 * 1024;

  /** Asymmetric algorithms Bulwark can verify. HMAC and {@code none} are never accepted. */
  public static final Set<JWSAlgorithm> SUPPORTED = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

  private JwsChecks() {}

  /** Parses and verifies the signature with the key {@code keys} returns for the header's kid. */
  public static SignedJWT verify(String token, Set<JWSAlgorithm> allowed, Function<String, JWK> keys) throws TokenException {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
      throw new TokenException(Reason.MALFORMED, "token is empty or larger than " + MAX_TOKEN_CHARS + " characters");
    }
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException | RuntimeException e) {
      throw new TokenException(Reason.MALFORMED, "token is not a well-formed JWT", e);
    }
    if (!(jwt instanceof SignedJWT)) {
      throw new TokenException(Reason.ALGORITHM_NOT_ALLOWED, "token is not signed (alg none or encrypted)");
    }
    SignedJWT signed = (SignedJWT) jwt;
    JWSAlgorithm alg = signed.getHeader().getAlgorithm();
    if (alg == null || !SUPPORTED.contains(alg) || !allowed.contains(alg)) {
      throw new TokenException(Reason.ALGORITHM_NOT_ALLOWED, "algorithm " + alg + " is not allowed");
    }
    String kid = signed.getHeader().getKeyID();
    if (kid == null || kid.isEmpty()) {
      throw new TokenException(Reason.UNKNOWN_KEY, "token header has no kid");
    }
    JWK jwk = keys.apply(kid);
    if (jwk == null) {
      throw new TokenException(Reason.UNKNOWN_KEY, "no trusted key with this kid");
    }
    JWSVerifier verifier = verifierFor(alg, jwk);
    boolean ok;
    try {
      ok = signed.verify(verifier);
    } catch (JOSEException | RuntimeException e) {
      throw new TokenException(Reason.BAD_SIGNATURE, "signature verification failed", e);
    }
    if (!ok) {
      throw new TokenException(Reason.BAD_SIGNATURE, "signature does not verify");
    }
    return signed;
  }

  private static JWSVerifier verifierFor(JWSAlgorithm alg, JWK jwk) throws TokenException {
    if (jwk.getAlgorithm() != null && !jwk.getAlgorithm().equals(alg)) {
      throw new TokenException(Reason.KEY_MISMATCH, "key is for " + jwk.getAlgorithm() + ", token says " + alg);
    }
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      throw new TokenException(Reason.KEY_MISMATCH, "key is not a signature key");
    }
    try {
      if (JWSAlgorithm.Family.RSA.contains(alg)) {
        if (!(jwk instanceof RSAKey)) {
          throw new TokenException(Reason.KEY_MISMATCH, "algorithm " + alg + " needs an RSA key");
        }
        RSAKey rsa = ((RSAKey) jwk).toPublicJWK();
        if (rsa.size() < 2048) {
          throw new TokenException(Reason.KEY_MISMATCH, "RSA key shorter than 2048 bits");
        }
        return new RSASSAVerifier(rsa);
      }
      if (!(jwk instanceof ECKey)) {
        throw new TokenException(Reason.KEY_MISMATCH, "algorithm " + alg + " needs an EC key");
      }
      ECKey ec = ((ECKey) jwk).toPublicJWK();
      Curve expected = alg.equals(JWSAlgorithm.ES256) ? Curve.P_256 : alg.equals(JWSAlgorithm.ES384) ? Curve.P_384 : Curve.P_521;
      if (!expected.equals(ec.getCurve())) {
        throw new TokenException(Reason.KEY_MISMATCH, "algorithm " + alg + " needs curve " + expected);
      }
      return new ECDSAVerifier(ec);
    } catch (JOSEException e) {
      throw new TokenException(Reason.KEY_MISMATCH, "key cannot verify " + alg, e);
    }
  }

  /** The claims, or MALFORMED. */
  public static JWTClaimsSet claims(SignedJWT jwt) throws TokenException {
    try {
      return jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new TokenException(Reason.MALFORMED, "claims are not a JSON object", e);
    }
  }

  /** Checks iss, aud, exp, iat and nbf. */
  public static void checkStandardClaims(JWTClaimsSet c, String issuer, String audience, Instant now, Duration skew)
      throws TokenException {
    if (!Objects.equals(issuer, c.getIssuer())) {
      throw new TokenException(Reason.WRONG_ISSUER, "unexpected issuer");
    }
    List<String> aud = c.getAudience();
    if (aud == null || !aud.contains(audience)) {
      throw new TokenException(Reason.WRONG_AUDIENCE, "token is not addressed to this audience");
    }
    Date exp = c.getExpirationTime();
    Date iat = c.getIssueTime();
    if (exp == null || iat == null) {
      throw new TokenException(Reason.MISSING_CLAIM, "exp and iat are required");
    }
    if (!now.isBefore(exp.toInstant().plus(skew))) {
      throw new TokenException(Reason.EXPIRED, "token expired");
    }
    if (iat.toInstant().isAfter(now.plus(skew))) {
      throw new TokenException(Reason.NOT_YET_VALID, "token issued in the future");
    }
    Date nbf = c.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().isAfter(now.plus(skew))) {
      throw new TokenException(Reason.NOT_YET_VALID, "token not valid yet");
    }
  }
}
