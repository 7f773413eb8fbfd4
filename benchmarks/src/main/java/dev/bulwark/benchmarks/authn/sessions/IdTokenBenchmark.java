package dev.bulwark.benchmarks.authn.sessions;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.authn.token.IdToken;
import dev.bulwark.authn.token.IdTokenValidator;
import dev.bulwark.authn.token.TokenException;
import dev.bulwark.benchmarks.ComparedWith;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * OIDC ID token validation (parse, alg allow-list, kid lookup in a 3-key JWK set, key checks,
 * signature, iss/aud/azp/exp/iat/nbf/sub/nonce) compared with a raw Nimbus
 * {@code SignedJWT.parse(token).verify(verifier)} with a pre-built verifier.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class IdTokenBenchmark {

  @Param({"ES256", "RS256"})
  public String alg;

  private IdTokenValidator validator;
  private JWSVerifier rawVerifier;
  private String token;

  @Setup
  public void setUp() throws JOSEException {
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
    RSAKey other = new RSAKeyGenerator(2048).keyID("other").generate();
    JWKSet set = new JWKSet(List.<JWK>of(ec.toPublicJWK(), rsa.toPublicJWK(), other.toPublicJWK()));
    String jwks = set.toString();
    validator = IdTokenValidator.builder("https://idp.example.com", "client", () -> jwks)
        .algorithms(Set.of("ES256", "RS256")).build();
    Instant now = Instant.now();
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("https://idp.example.com").audience("client")
        .subject("user-123").issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofHours(2))))
        .claim("nonce", "n-0S6_WzA2Mj").claim("email", "user@example.com").build();
    boolean isEc = "ES256".equals(alg);
    JWSSigner signer = isEc ? new ECDSASigner(ec) : new RSASSASigner(rsa);
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(isEc ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256)
        .keyID(isEc ? "ec" : "rsa").build(), claims);
    jwt.sign(signer);
    token = jwt.serialize();
    rawVerifier = isEc ? new ECDSAVerifier(ec.toPublicJWK()) : new RSASSAVerifier(rsa.toPublicJWK());
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authn.sessions.IdTokenBenchmark.rawNimbusVerify")
  public IdToken validateIdToken() throws TokenException {
    return validator.validate(token, "n-0S6_WzA2Mj");
  }

  /** Baseline: parse and verify the signature with Nimbus, no claim checks, verifier built once. */
  @Benchmark
  public boolean rawNimbusVerify() throws ParseException, JOSEException {
    return SignedJWT.parse(token).verify(rawVerifier);
  }
}
