package dev.bulwark.authn.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.session.internal.Events;
import dev.bulwark.authn.token.TokenException.Reason;
import dev.bulwark.authn.token.internal.JwsChecks;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Optional signed session JWTs (ES256) for hosts that want a self-contained token in front of the
 * server-side session, with rotating keys.
 *
 * <p>Keys: {@link #rotate()} makes a fresh P-256 key the signing key; the previous one keeps
 * verifying until every token it signed has expired (its retirement time is the rotation time plus
 * the token lifetime plus the clock skew) and is then dropped. {@link #publicKeySetJson()} is the JWK set
 * to publish to other services; {@link #trust} adds a peer node's public key.
 *
 * <p>Tokens carry {@code iss}, {@code aud}, {@code sub}, {@code sid}, {@code acr}
 * ({@code AAL1..3}), {@code amr}, {@code auth_time}, {@code iat}, {@code exp} (never past the
 * session's absolute deadline) and {@code jti}; header {@code typ=session+jwt}. Validation applies
 * the same strict rules as {@link IdTokenValidator} with ES256 only.
 *
 * <p>Security considerations: a JWT cannot be revoked before it expires; keep the lifetime short
 * (default 5 minutes) and check the server-side session for anything sensitive. Thread-safe.
 */
public final class SessionJwts {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final JOSEObjectType TYPE = new JOSEObjectType("session+jwt");

  private record KeyEntry(ECKey key, Instant retiresAt) {}

  private final String issuer;
  private final String audience;
  private final Duration lifetime;
  private final Duration skew;
  private final InstantSource clock;
  private final SecurityEventListener listener;
  private final Object lock = new Object();
  private volatile ECKey signingKey;
  private volatile List<KeyEntry> verifying;

  /**
   * Session JWTs from {@code issuer} for {@code audience}, valid for {@code lifetime} (1 s to 1 h),
   * starting with a freshly generated key.
   */
  public SessionJwts(String issuer, String audience, Duration lifetime, InstantSource clock, SecurityEventListener listener) {
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.audience = Objects.requireNonNull(audience, "audience");
    this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
    if (lifetime.compareTo(Duration.ofSeconds(1)) < 0 || lifetime.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("lifetime must be between 1 second and 1 hour");
    }
    this.skew = Duration.ofSeconds(30);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.signingKey = generate();
    this.verifying = List.of(new KeyEntry(signingKey, Instant.MAX));
  }

  /** Five-minute tokens. */
  public SessionJwts(String issuer, String audience, InstantSource clock) {
    this(issuer, audience, Duration.ofMinutes(5), clock, SecurityEventListener.NONE);
  }

  private static ECKey generate() {
    byte[] kid = new byte[12];
    RANDOM.nextBytes(kid);
    try {
      return new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
          .keyID(HexFormat.of().formatHex(kid)).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("P-256 key generation is not available", e);
    }
  }

  /** Makes a new key the signing key; returns its kid. Old keys verify until their tokens expired. */
  public String rotate() {
    Instant now = clock.instant();
    synchronized (lock) {
      ECKey next = generate();
      List<KeyEntry> keys = new ArrayList<>();
      keys.add(new KeyEntry(next, Instant.MAX));
      for (KeyEntry e : verifying) {
        Instant retires = e.retiresAt().equals(Instant.MAX) ? now.plus(lifetime).plus(skew) : e.retiresAt();
        if (now.isBefore(retires)) {
          keys.add(new KeyEntry(e.key(), retires));
        }
      }
      signingKey = next;
      verifying = List.copyOf(keys);
      return next.getKeyID();
    }
  }

  /**
   * Trusts a peer's public key (e.g. another node's signing key, one entry of its
   * {@link #publicKeys()}) until {@code retiresAt}.
   *
   * @param publicJwk the key as a JSON Web Key (RFC 7517): an EC P-256 public key with a kid
   * @throws IllegalArgumentException if it is not such a key, or if it holds a private key
   */
  public void trust(String publicJwk, Instant retiresAt) {
    Objects.requireNonNull(publicJwk, "publicJwk");
    Objects.requireNonNull(retiresAt, "retiresAt");
    ECKey publicKey;
    try {
      publicKey = ECKey.parse(publicJwk);
    } catch (java.text.ParseException e) {
      throw new IllegalArgumentException("not an EC JSON Web Key", e);
    }
    if (publicKey.isPrivate()) {
      throw new IllegalArgumentException("a trusted key must be a public key; this one holds a private key");
    }
    if (publicKey.getKeyID() == null || !Curve.P_256.equals(publicKey.getCurve())) {
      throw new IllegalArgumentException("a trusted key needs a kid and curve P-256");
    }
    synchronized (lock) {
      List<KeyEntry> keys = new ArrayList<>(verifying);
      keys.removeIf(e -> e.key().getKeyID().equals(publicKey.getKeyID()));
      keys.add(new KeyEntry(publicKey.toPublicJWK(), retiresAt));
      verifying = List.copyOf(keys);
    }
  }

  /** The kid of the current signing key. */
  public String currentKeyId() {
    return signingKey.getKeyID();
  }

  /**
   * The public keys that still verify, one JSON Web Key each (RFC 7517, EC P-256 with a kid), to
   * hand to a peer's {@link #trust}.
   */
  public List<String> publicKeys() {
    List<String> out = new ArrayList<>();
    for (JWK k : publicKeySet().getKeys()) {
      out.add(k.toJSONString());
    }
    return List.copyOf(out);
  }

  /**
   * The JWK set document (RFC 7517 JSON) of the keys that still verify, to publish at a
   * {@code jwks_uri} for other services.
   */
  public String publicKeySetJson() {
    return publicKeySet().toString();
  }

  private JWKSet publicKeySet() {
    Instant now = clock.instant();
    List<JWK> out = new ArrayList<>();
    for (KeyEntry e : verifying) {
      if (now.isBefore(e.retiresAt())) {
        out.add(e.key().toPublicJWK());
      }
    }
    return new JWKSet(out);
  }

  /** Signs a JWT for {@code session}, expiring after the lifetime or at the session's absolute deadline. */
  public String issue(Session session) {
    Objects.requireNonNull(session, "session");
    Instant now = clock.instant();
    Instant exp = now.plus(lifetime);
    if (session.absoluteDeadline().isBefore(exp)) {
      exp = session.absoluteDeadline();
    }
    List<String> amr = new ArrayList<>();
    session.factors().keySet().forEach(f -> amr.add(f.name().toLowerCase(java.util.Locale.ROOT)));
    byte[] jti = new byte[16];
    RANDOM.nextBytes(jti);
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(issuer).audience(audience).subject(session.userId())
        .claim("sid", session.id()).claim("acr", session.levelAt(now).name()).claim("amr", amr)
        .claim("auth_time", session.authTime().getEpochSecond())
        .issueTime(Date.from(now)).expirationTime(Date.from(exp))
        .jwtID(HexFormat.of().formatHex(jti)).build();
    ECKey key = signingKey;
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).type(TYPE).build(), claims);
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed", e);
    }
    return jwt.serialize();
  }

  /** Validates a session JWT issued by this instance or a trusted peer. */
  public SessionClaims validate(String token) throws TokenException {
    try {
      return check(token);
    } catch (TokenException e) {
      Events.emit(listener, SecurityEventType.TOKEN_INVALID, null, clock.instant(),
          Map.of("kind", "session_jwt", "reason", e.reason().name()));
      throw e;
    }
  }

  private SessionClaims check(String token) throws TokenException {
    Instant now = clock.instant();
    List<KeyEntry> keys = verifying;
    SignedJWT jwt = JwsChecks.verify(token, Set.of(JWSAlgorithm.ES256), kid -> {
      for (KeyEntry e : keys) {
        if (e.key().getKeyID().equals(kid) && now.isBefore(e.retiresAt())) {
          return e.key(); // the same object each time, so its verifier is cached; only the public part is used
        }
      }
      return null;
    });
    if (!TYPE.equals(jwt.getHeader().getType())) {
      throw new TokenException(Reason.MALFORMED, "not a session JWT (typ)");
    }
    JWTClaimsSet c = JwsChecks.claims(jwt);
    JwsChecks.checkStandardClaims(c, issuer, audience, now, skew);
    try {
      String sub = c.getSubject();
      String sid = c.getStringClaim("sid");
      String acr = c.getStringClaim("acr");
      List<String> amr = c.getStringListClaim("amr");
      Long authTime = c.getLongClaim("auth_time");
      if (sub == null || sid == null || acr == null || amr == null || authTime == null) {
        throw new TokenException(Reason.MISSING_CLAIM, "sub, sid, acr, amr and auth_time are required");
      }
      Set<Factor> factors = EnumSet.noneOf(Factor.class);
      for (String f : amr) {
        factors.add(Factor.valueOf(f.toUpperCase(java.util.Locale.ROOT)));
      }
      return new SessionClaims(sub, sid, AssuranceLevel.valueOf(acr), factors, Instant.ofEpochSecond(authTime),
          c.getExpirationTime().toInstant(), jwt.getHeader().getKeyID());
    } catch (ParseException | IllegalArgumentException e) {
      throw new TokenException(Reason.MISSING_CLAIM, "a session claim has the wrong type or value", e);
    }
  }
}
