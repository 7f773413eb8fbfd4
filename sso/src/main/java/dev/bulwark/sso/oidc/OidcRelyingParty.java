package dev.bulwark.sso.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.UserInfo;
import dev.bulwark.sso.AssuranceMapping;
import dev.bulwark.sso.Protocol;
import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoEvent;
import dev.bulwark.sso.SsoEventListener;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.VerifiedIdentity;
import dev.bulwark.sso.internal.BoundedSender;
import dev.bulwark.sso.internal.ClockSkew;
import dev.bulwark.sso.internal.EventReporter;
import dev.bulwark.sso.internal.JwksCache;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An OpenID Connect relying party for the authorization-code flow with PKCE (S256), {@code state}
 * and {@code nonce}, ending in a {@link VerifiedIdentity}. Built on Nimbus {@code oauth2-oidc-sdk}.
 * Immutable apart from its key cache; thread-safe.
 *
 * <p>The ID token is validated here by the same rules as {@code dev.bulwark.authn}'s token
 * validator (this module depends on no other Bulwark module): a signature by a key from the
 * provider's JWKS with an asymmetric algorithm (RS/PS/ES 256–512; never {@code none} or HMAC), the
 * issuer equal to the configured one, our client ID in the audience ({@code azp} when there are
 * several), {@code exp} and {@code iat} within the allowed skew, and the nonce we sent.
 *
 * <p><b>Security considerations.</b> The {@link PendingAuthorization} must be kept server-side or
 * in an encrypted, browser-bound session; a callback whose {@code state} does not match is refused
 * before the code is exchanged.
 */
public final class OidcRelyingParty {

  static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

  private final ProviderMetadata provider;
  private final ClientID clientId;
  private final URI redirectUri;
  private final Scope scope;
  private final Optional<Secret> secret;
  private final Optional<PrivateKey> assertionKey;
  private final String assertionKeyId;
  private final Clock clock;
  private final Duration skew;
  private final Duration timeout;
  private final boolean fetchUserInfo;
  private final AssuranceMapping assurance;
  private final EventReporter events;
  private final JwksCache jwks;

  private OidcRelyingParty(Builder b) {
    this.provider = b.provider;
    this.clientId = new ClientID(b.clientId);
    this.redirectUri = b.redirectUri;
    this.scope = new Scope(b.scopes.toArray(new String[0]));
    this.secret = Optional.ofNullable(b.secret);
    this.assertionKey = Optional.ofNullable(b.assertionKey);
    this.assertionKeyId = b.assertionKeyId;
    this.clock = b.clock;
    this.skew = b.skew;
    this.timeout = b.timeout;
    this.fetchUserInfo = b.fetchUserInfo;
    this.assurance = b.assurance;
    this.events = new EventReporter(b.listener, Protocol.OIDC, provider.issuer().toString(), b.clock);
    this.jwks = new JwksCache(provider.jwksUri(), clock, b.jwksRefreshInterval, timeout);
  }

  public static Builder builder(ProviderMetadata provider, String clientId, URI redirectUri) {
    return new Builder(provider, clientId, redirectUri);
  }

  /** A fresh authorization request (new state, nonce and PKCE verifier). */
  public AuthorizationStart begin() {
    State state = new State();
    Nonce nonce = new Nonce();
    CodeVerifier verifier = new CodeVerifier();
    URI location = new AuthenticationRequest.Builder(ResponseType.CODE, scope, clientId, redirectUri)
        .endpointURI(provider.authorizationEndpoint())
        .state(state)
        .nonce(nonce)
        .codeChallenge(verifier, CodeChallengeMethod.S256)
        .build()
        .toURI();
    return new AuthorizationStart(
        location, new PendingAuthorization(state.getValue(), nonce.getValue(), verifier.getValue(), redirectUri));
  }

  /**
   * Completes the flow from the callback URI the browser arrived on: checks {@code state},
   * exchanges the code (with the PKCE verifier), validates the ID token and, when configured,
   * merges userinfo claims.
   */
  public OidcSignIn complete(URI callback, PendingAuthorization pending) throws SsoRefusedException {
    try {
      OidcSignIn in = exchange(callback, pending);
      events.report(SsoEvent.Type.LOGIN_SUCCEEDED, Optional.of(in.identity().subject()), Optional.empty());
      return in;
    } catch (SsoRefusedException e) {
      events.report(SsoEvent.Type.LOGIN_REFUSED, Optional.empty(), Optional.of(e.reason()));
      throw e;
    } catch (RuntimeException e) {
      SsoRefusedException refused =
          new SsoRefusedException(RefusalReason.PROVIDER_ERROR, "provider answer could not be processed", e);
      events.report(SsoEvent.Type.LOGIN_REFUSED, Optional.empty(), Optional.of(refused.reason()));
      throw refused;
    }
  }

  private OidcSignIn exchange(URI callback, PendingAuthorization pending) throws SsoRefusedException {
    AuthorizationResponse response;
    try {
      response = AuthorizationResponse.parse(callback);
    } catch (ParseException | RuntimeException e) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "callback is not an authorization response");
    }
    if (response.getState() == null || !equal(response.getState().getValue(), pending.state())) {
      throw new SsoRefusedException(RefusalReason.REQUEST_MISMATCH, "state does not match");
    }
    if (!response.indicatesSuccess()) {
      throw new SsoRefusedException(RefusalReason.PROVIDER_ERROR, "provider returned an error");
    }
    AuthorizationCode code = response.toSuccessResponse().getAuthorizationCode();
    if (code == null) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "no authorization code");
    }
    TokenRequest tokenRequest = new TokenRequest.Builder(provider.tokenEndpoint(), clientAuthentication(),
        new AuthorizationCodeGrant(code, pending.redirectUri(), new CodeVerifier(pending.revealCodeVerifier())))
        .build();
    TokenResponse tokenResponse;
    try {
      tokenResponse = OIDCTokenResponseParser.parse(send(tokenRequest.toHTTPRequest()));
    } catch (ParseException e) {
      throw new SsoRefusedException(RefusalReason.PROVIDER_ERROR, "token response is not valid");
    }
    if (!tokenResponse.indicatesSuccess()) {
      throw new SsoRefusedException(RefusalReason.PROVIDER_ERROR, "token request refused");
    }
    OIDCTokenResponse ok = (OIDCTokenResponse) tokenResponse.toSuccessResponse();
    String idToken = ok.getOIDCTokens().getIDTokenString();
    if (idToken == null) {
      throw new SsoRefusedException(RefusalReason.MISSING_ELEMENT, "no ID token");
    }
    JWTClaimsSet claims = checkIdToken(idToken, pending.nonce());
    Map<String, List<String>> attributes = flatten(claims.getClaims());
    if (fetchUserInfo && provider.userInfoEndpoint().isPresent()) {
      attributes.putAll(userInfo(ok.getOIDCTokens().getAccessToken(), claims.getSubject()));
    }
    return new OidcSignIn(identity(claims, attributes), idToken);
  }

  private VerifiedIdentity identity(JWTClaimsSet claims, Map<String, List<String>> attributes) {
    String acr = stringClaim(claims, "acr");
    List<String> amr = attributes.getOrDefault("amr", List.of());
    Date authTime = dateClaim(claims, "auth_time");
    return new VerifiedIdentity(
        Protocol.OIDC,
        claims.getIssuer(),
        claims.getSubject(),
        attributes,
        acr,
        assurance.levelFor(acr, amr),
        (authTime != null ? authTime : claims.getIssueTime()).toInstant(),
        stringClaim(claims, "sid"));
  }

  /**
   * Validates an ID token by this party's rules, for hosts that receive tokens otherwise, and
   * returns the identity it carries (its claims as attributes; userinfo is not fetched).
   *
   * @throws SsoRefusedException if the token fails any rule, with the reason
   */
  public VerifiedIdentity validateIdToken(String idToken, String expectedNonce) throws SsoRefusedException {
    JWTClaimsSet claims = checkIdToken(idToken, expectedNonce);
    return identity(claims, flatten(claims.getClaims()));
  }

  private JWTClaimsSet checkIdToken(String idToken, String expectedNonce) throws SsoRefusedException {
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(idToken);
      claims = jwt.getJWTClaimsSet();
    } catch (java.text.ParseException | RuntimeException e) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "ID token is not a signed JWT");
    }
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    if (!ALGORITHMS.contains(alg)) {
      throw new SsoRefusedException(RefusalReason.ALGORITHM_FORBIDDEN, "ID token algorithm not allowed");
    }
    JWK key;
    try {
      key = jwks.key(jwt.getHeader().getKeyID())
          .orElseThrow(() -> new SsoRefusedException(RefusalReason.SIGNATURE_INVALID, "unknown signing key"));
    } catch (IOException e) {
      throw new SsoRefusedException(RefusalReason.PROVIDER_UNAVAILABLE, "provider keys unavailable", e);
    }
    try {
      JWSVerifier verifier;
      if (key instanceof RSAKey rsa && !JWSAlgorithm.Family.EC.contains(alg)) {
        verifier = new RSASSAVerifier(rsa);
      } else if (key instanceof ECKey ec && JWSAlgorithm.Family.EC.contains(alg)) {
        verifier = new ECDSAVerifier(ec);
      } else {
        throw new SsoRefusedException(RefusalReason.ALGORITHM_FORBIDDEN, "algorithm does not fit the key");
      }
      if (!jwt.verify(verifier)) {
        throw new SsoRefusedException(RefusalReason.SIGNATURE_INVALID, "ID token signature does not verify");
      }
    } catch (JOSEException e) {
      throw new SsoRefusedException(RefusalReason.SIGNATURE_INVALID, "ID token signature does not verify");
    }
    if (!provider.issuer().toString().equals(claims.getIssuer())) {
      throw new SsoRefusedException(RefusalReason.ISSUER_MISMATCH, "ID token from another issuer");
    }
    List<String> aud = claims.getAudience();
    if (aud == null || !aud.contains(clientId.getValue())
        || aud.size() > 1 && !clientId.getValue().equals(stringClaim(claims, "azp"))) {
      throw new SsoRefusedException(RefusalReason.AUDIENCE_MISMATCH, "ID token for another client");
    }
    Instant now = clock.instant();
    if (claims.getExpirationTime() == null || !now.minus(skew).isBefore(claims.getExpirationTime().toInstant())) {
      throw new SsoRefusedException(RefusalReason.EXPIRED, "ID token expired");
    }
    if (claims.getIssueTime() == null || now.plus(skew).isBefore(claims.getIssueTime().toInstant())) {
      throw new SsoRefusedException(RefusalReason.NOT_YET_VALID, "ID token issued in the future");
    }
    if (claims.getSubject() == null || claims.getSubject().isEmpty()) {
      throw new SsoRefusedException(RefusalReason.MISSING_ELEMENT, "ID token has no subject");
    }
    if (!equal(stringClaim(claims, "nonce"), expectedNonce)) {
      throw new SsoRefusedException(RefusalReason.NONCE_MISMATCH, "nonce does not match");
    }
    return claims;
  }

  /** Where to send the browser to end the provider's session (RP-initiated logout). */
  public URI logout(OidcSignIn signIn, URI postLogoutRedirect, String state) {
    URI endpoint = provider.endSessionEndpoint()
        .orElseThrow(() -> new IllegalStateException("provider publishes no end_session_endpoint"));
    try {
      return new LogoutRequest(endpoint, SignedJWT.parse(signIn.revealIdToken()), postLogoutRedirect, new State(state))
          .toURI();
    } catch (java.text.ParseException e) {
      throw new IllegalArgumentException("not an ID token", e);
    }
  }

  /** The JWKS cache, for its fetch count. */
  public int jwksFetches() {
    return jwks.fetches();
  }

  private Map<String, List<String>> userInfo(AccessToken token, String subject) throws SsoRefusedException {
    try {
      HTTPResponse r = send(new UserInfoRequest(provider.userInfoEndpoint().get(), (BearerAccessToken) token)
          .toHTTPRequest());
      UserInfoResponse ur = UserInfoResponse.parse(r);
      if (!ur.indicatesSuccess()) {
        throw new SsoRefusedException(RefusalReason.PROVIDER_ERROR, "userinfo refused");
      }
      UserInfo info = ur.toSuccessResponse().getUserInfo();
      if (info == null || !subject.equals(info.getSubject().getValue())) {
        throw new SsoRefusedException(RefusalReason.PROVIDER_ERROR, "userinfo is about another subject");
      }
      Map<String, List<String>> out = flatten(info.toJSONObject());
      out.remove("sub");
      return out;
    } catch (ParseException | ClassCastException e) {
      throw new SsoRefusedException(RefusalReason.PROVIDER_ERROR, "userinfo response is not valid");
    }
  }

  private ClientAuthentication clientAuthentication() throws SsoRefusedException {
    if (secret.isPresent()) {
      return new ClientSecretBasic(clientId, secret.get());
    }
    try {
      PrivateKey k = assertionKey.orElseThrow();
      JWSAlgorithm alg = "EC".equals(k.getAlgorithm()) ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
      return new PrivateKeyJWT(clientId, provider.tokenEndpoint(), alg, k, assertionKeyId, null);
    } catch (JOSEException e) {
      throw new SsoRefusedException(RefusalReason.PROVIDER_ERROR, "client assertion could not be signed");
    }
  }

  private HTTPResponse send(HTTPRequest req) throws SsoRefusedException {
    req.setConnectTimeout((int) timeout.toMillis());
    req.setReadTimeout((int) timeout.toMillis());
    try {
      return req.send(BoundedSender.INSTANCE);
    } catch (IOException e) {
      throw new SsoRefusedException(RefusalReason.PROVIDER_UNAVAILABLE, "provider unreachable", e);
    }
  }

  private static Map<String, List<String>> flatten(Map<String, Object> claims) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    claims.forEach((k, v) -> {
      if (v instanceof List<?> l) {
        List<String> vs = new ArrayList<>();
        l.forEach(x -> vs.add(String.valueOf(x)));
        out.put(k, vs);
      } else if (v instanceof Date d) {
        out.put(k, List.of(String.valueOf(d.toInstant().getEpochSecond())));
      } else if (v != null) {
        out.put(k, List.of(String.valueOf(v)));
      }
    });
    return out;
  }

  private static String stringClaim(JWTClaimsSet c, String name) {
    Object v = c.getClaim(name);
    return v instanceof String s ? s : "";
  }

  private static Date dateClaim(JWTClaimsSet c, String name) {
    try {
      return c.getDateClaim(name);
    } catch (java.text.ParseException e) {
      return null;
    }
  }

  private static boolean equal(String a, String b) {
    return a != null && b != null
        && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }


  /** Settings for an {@link OidcRelyingParty}; exactly one client authentication is required. */
  public static final class Builder {
    private final ProviderMetadata provider;
    private final String clientId;
    private final URI redirectUri;
    private List<String> scopes = List.of("openid", "profile", "email");
    private Secret secret;
    private PrivateKey assertionKey;
    private String assertionKeyId;
    private Clock clock = Clock.systemUTC();
    private Duration skew = Duration.ofMinutes(1);
    private Duration timeout = Duration.ofSeconds(10);
    private Duration jwksRefreshInterval = Duration.ofMinutes(1);
    private boolean fetchUserInfo;
    private AssuranceMapping assurance = AssuranceMapping.DEFAULT;
    private SsoEventListener listener = SsoEventListener.NONE;

    private Builder(ProviderMetadata provider, String clientId, URI redirectUri) {
      this.provider = Objects.requireNonNull(provider, "provider");
      this.clientId = Objects.requireNonNull(clientId, "clientId");
      this.redirectUri = Objects.requireNonNull(redirectUri, "redirectUri");
    }

    /** {@code client_secret_basic}. */
    public Builder clientSecret(String clientSecret) {
      this.secret = new Secret(Objects.requireNonNull(clientSecret, "clientSecret"));
      return this;
    }

    /** {@code private_key_jwt} with an RSA (RS256) or EC P-256 (ES256) key registered at the provider. */
    public Builder privateKeyJwt(PrivateKey key, String keyId) {
      this.assertionKey = Objects.requireNonNull(key, "key");
      this.assertionKeyId = keyId;
      return this;
    }

    public Builder scopes(List<String> scopes) {
      if (!scopes.contains("openid")) {
        throw new IllegalArgumentException("scopes must include openid");
      }
      this.scopes = List.copyOf(scopes);
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Allowed clock difference with the provider; at most 5 minutes (default 1). */
    public Builder clockSkew(Duration skew) {
      this.skew = ClockSkew.check(skew);
      return this;
    }

    public Builder httpTimeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The shortest interval between two JWKS fetches caused by unknown key IDs (default 1 minute). */
    public Builder jwksRefreshInterval(Duration interval) {
      this.jwksRefreshInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /** Also fetch the userinfo endpoint and merge its claims (its subject must match). */
    public Builder fetchUserInfo() {
      this.fetchUserInfo = true;
      return this;
    }

    public Builder assuranceMapping(AssuranceMapping mapping) {
      this.assurance = Objects.requireNonNull(mapping, "mapping");
      return this;
    }

    public Builder listener(SsoEventListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public OidcRelyingParty build() {
      if ((secret == null) == (assertionKey == null)) {
        throw new IllegalStateException("configure exactly one of clientSecret and privateKeyJwt");
      }
      return new OidcRelyingParty(this);
    }
  }
}
