package dev.bulwark.authn.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.session.internal.Events;
import dev.bulwark.authn.token.TokenException.Reason;
import dev.bulwark.authn.token.internal.JwsChecks;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Validates OIDC ID tokens (OpenID Connect Core §3.1.3.7) from one identity provider.
 *
 * <pre>{@code
 * // Given: InstantSource clock, String jwksJson, String idTokenFromCallback, String nonceStoredInSession
 * IdTokenValidator v = IdTokenValidator.builder("https://idp.example.com", "my-client-id", () -> jwksJson)
 *     .clock(clock).build();
 * IdToken t = v.validate(idTokenFromCallback, nonceStoredInSession);   // TokenException on any failure
 * }</pre>
 *
 * <p>Checks, in order: size and JWS form; {@code alg} on the allow-list (default RS256, PS256,
 * ES256; {@code none}, encrypted tokens and every HMAC algorithm are always refused, so a public key
 * can never be used as an HMAC secret); a {@code kid} naming a key of the supplied JWK set whose
 * type, curve, {@code alg} and {@code use} fit; the signature; {@code iss} equal to the issuer;
 * {@code aud} containing the client id and, with several audiences, {@code azp} equal to it;
 * {@code exp} and {@code iat} present, {@code exp} in the future and {@code iat}/{@code nbf} not in
 * the future, each with the configured skew (default 60 s, at most 5 min); {@code sub} present;
 * {@code nonce} equal (constant time) to the expected one. Keys embedded in the token
 * ({@code jwk}, {@code jku}, {@code x5u}) are ignored.
 *
 * <p>Key rotation: the {@code Supplier<JWKSet>} is asked on every validation; give it a cached
 * fetch of the provider's {@code jwks_uri}. Thread-safe. Failures emit {@code authn_token_invalid}.
 */
public final class IdTokenValidator {

  /** Largest clock skew the builder accepts. */
  public static final Duration MAX_SKEW = Duration.ofMinutes(5);

  private final String issuer;
  private final String clientId;
  private final Supplier<String> keys;
  private final Set<JWSAlgorithm> algorithms;
  /** The last key set text and its parse, so an unchanged key set is parsed once. */
  private volatile ParsedKeys parsed = new ParsedKeys(null, new JWKSet());
  private final Duration skew;
  private final InstantSource clock;
  private final SecurityEventListener listener;

  private IdTokenValidator(Builder b) {
    this.issuer = b.issuer;
    this.clientId = b.clientId;
    this.keys = b.keys;
    this.algorithms = b.algorithms;
    this.skew = b.skew;
    this.clock = b.clock;
    this.listener = b.listener;
  }

  private record ParsedKeys(String text, JWKSet set) {}

  /**
   * A builder for tokens from {@code issuer} addressed to {@code clientId}, signed by a key in
   * {@code keys}: the provider's JWK set document (RFC 7517 JSON, as served at its
   * {@code jwks_uri}), read again on every validation so that the host may refresh it; a document
   * that is unchanged is parsed once. A document that does not parse holds no keys (every token is
   * refused with {@link TokenException.Reason#UNKNOWN_KEY}).
   */
  public static Builder builder(String issuer, String clientId, Supplier<String> keys) {
    return new Builder(issuer, clientId, keys);
  }

  /** Builder; {@link #build()} validates. */
  public static final class Builder {
    private final String issuer;
    private final String clientId;
    private final Supplier<String> keys;
    private Set<JWSAlgorithm> algorithms = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.ES256);
    private Duration skew = Duration.ofSeconds(60);
    private InstantSource clock = InstantSource.system();
    private SecurityEventListener listener = SecurityEventListener.NONE;

    private Builder(String issuer, String clientId, Supplier<String> keys) {
      this.issuer = Objects.requireNonNull(issuer, "issuer");
      this.clientId = Objects.requireNonNull(clientId, "clientId");
      this.keys = Objects.requireNonNull(keys, "keys");
      if (issuer.isEmpty() || clientId.isEmpty()) {
        throw new IllegalArgumentException("issuer and clientId must not be empty");
      }
    }

    /**
     * The accepted algorithms by their JOSE names ({@code "RS256"}, {@code "ES256"}, …): a
     * non-empty subset of RS/PS/ES 256/384/512 (default RS256, PS256, ES256).
     *
     * @throws IllegalArgumentException for an empty set, {@code none}, an HMAC or unknown name
     */
    public Builder algorithms(Set<String> algorithms) {
      Set<String> names = Set.copyOf(algorithms);
      if (names.isEmpty()) {
        throw new IllegalArgumentException("at least one algorithm is needed");
      }
      Set<JWSAlgorithm> copy = new java.util.HashSet<>();
      for (String name : names) {
        JWSAlgorithm a = JWSAlgorithm.parse(name);
        if (!JwsChecks.SUPPORTED.contains(a)) {
          throw new IllegalArgumentException(name + " is not an accepted ID token algorithm (none and HMAC never are)");
        }
        copy.add(a);
      }
      this.algorithms = Set.copyOf(copy);
      return this;
    }

    /** Tolerance for clock differences with the provider, 0 to 5 minutes. */
    public Builder clockSkew(Duration skew) {
      Objects.requireNonNull(skew, "skew");
      if (skew.isNegative() || skew.compareTo(MAX_SKEW) > 0) {
        throw new IllegalArgumentException("clock skew must be between 0 and " + MAX_SKEW);
      }
      this.skew = skew;
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder listener(SecurityEventListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public IdTokenValidator build() {
      return new IdTokenValidator(this);
    }
  }

  /**
   * Validates {@code token}, which must carry {@code expectedNonce} (the value sent in the
   * authentication request; OIDC makes it required for the implicit and hybrid flows and Bulwark
   * requires it always).
   */
  public IdToken validate(String token, String expectedNonce) throws TokenException {
    Objects.requireNonNull(expectedNonce, "expectedNonce");
    try {
      return check(token, expectedNonce);
    } catch (TokenException e) {
      Events.emit(listener, SecurityEventType.TOKEN_INVALID, null, clock.instant(),
          Map.of("kind", "id_token", "reason", e.reason().name()));
      throw e;
    }
  }

  private IdToken check(String token, String expectedNonce) throws TokenException {
    JWKSet set = keySet();
    SignedJWT jwt = JwsChecks.verify(token, algorithms, kid -> set == null ? null : set.getKeyByKeyId(kid));
    JWTClaimsSet c = JwsChecks.claims(jwt);
    Instant now = clock.instant();
    JwsChecks.checkStandardClaims(c, issuer, clientId, now, skew);
    List<String> aud = c.getAudience();
    Object azp = c.getClaim("azp");
    if (azp != null && !clientId.equals(azp)) {
      throw new TokenException(Reason.WRONG_AUDIENCE, "azp names another party");
    }
    if (aud.size() > 1 && azp == null) {
      throw new TokenException(Reason.WRONG_AUDIENCE, "several audiences and no azp");
    }
    String sub = c.getSubject();
    if (sub == null || sub.isEmpty()) {
      throw new TokenException(Reason.MISSING_CLAIM, "sub is required");
    }
    String nonce;
    try {
      nonce = c.getStringClaim("nonce");
    } catch (ParseException e) {
      throw new TokenException(Reason.NONCE_MISMATCH, "nonce is not a string", e);
    }
    if (nonce == null || !MessageDigest.isEqual(
        nonce.getBytes(StandardCharsets.UTF_8), expectedNonce.getBytes(StandardCharsets.UTF_8))) {
      throw new TokenException(Reason.NONCE_MISMATCH, "nonce does not match the authentication request");
    }
    Optional<Instant> authTime;
    try {
      Date at = c.getDateClaim("auth_time");
      authTime = Optional.ofNullable(at).map(Date::toInstant);
    } catch (ParseException e) {
      throw new TokenException(Reason.MISSING_CLAIM, "auth_time is not a number", e);
    }
    return new IdToken(sub, c.getIssuer(), aud, c.getIssueTime().toInstant(), c.getExpirationTime().toInstant(), authTime,
        c.toJSONObject());
  }

  private JWKSet keySet() {
    String text = keys.get();
    ParsedKeys last = parsed;
    if (text == null) {
      return new JWKSet();
    }
    if (text.equals(last.text())) {
      return last.set();
    }
    JWKSet set;
    try {
      set = JWKSet.parse(text);
    } catch (java.text.ParseException e) {
      set = new JWKSet();
    }
    parsed = new ParsedKeys(text, set);
    return set;
  }

}
