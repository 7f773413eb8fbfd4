package dev.bulwark.sso.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An OpenID provider in this JVM on a loopback port (JDK HTTP server), strict the way real ones
 * are: it checks the PKCE verifier against the challenge, the client's authentication, and the
 * redirect URI; it signs ID tokens with a rotating RSA key.
 */
final class LocalProvider implements AutoCloseable {
  final HttpServer server;
  final String issuer;
  final List<RSAKey> keys = new ArrayList<>();
  final Map<String, Map<String, String>> codes = new ConcurrentHashMap<>();
  final AtomicInteger tokenCalls = new AtomicInteger();
  final AtomicInteger jwksCalls = new AtomicInteger();
  final String clientId = "app";
  final String secret = "s3cret-value";
  volatile PublicKey clientAssertionKey;
  volatile String discoveryIssuer;
  volatile Consumer<JWTClaimsSet.Builder> tamper = b -> {};
  final Clock clock;

  /** When set, the key set endpoint answers without end (chunked, no length), as a hostile provider could. */
  volatile boolean endlessAnswers;
  /** The endless answer, and how much of it went out before the client hung up. */
  final dev.bulwark.testing.http.EndlessAnswer endless = new dev.bulwark.testing.http.EndlessAnswer("application/json", " ");

  LocalProvider(Clock clock) throws Exception {
    this.clock = clock;
    rotate();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/op";
    discoveryIssuer = issuer;
    server.createContext("/op/.well-known/openid-configuration", ex -> json(ex, 200, "{\"issuer\":\"" + discoveryIssuer
        + "\",\"authorization_endpoint\":\"" + issuer + "/auth\",\"token_endpoint\":\"" + issuer + "/token\","
        + "\"jwks_uri\":\"" + issuer + "/jwks\",\"userinfo_endpoint\":\"" + issuer + "/userinfo\","
        + "\"end_session_endpoint\":\"" + issuer + "/logout\",\"response_types_supported\":[\"code\"],"
        + "\"subject_types_supported\":[\"public\"],\"id_token_signing_alg_values_supported\":[\"RS256\"]}"));
    server.createContext("/op/jwks", ex -> {
      jwksCalls.incrementAndGet();
      if (endlessAnswers) {
        endless.handle(ex);
        return;
      }
      List<com.nimbusds.jose.jwk.JWK> pub = new ArrayList<>();
      synchronized (keys) {
        keys.forEach(k -> pub.add(k.toPublicJWK()));
      }
      json(ex, 200, new JWKSet(pub).toString());
    });
    server.createContext("/op/token", this::token);
    server.createContext("/op/userinfo", ex -> {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (auth == null || !auth.startsWith("Bearer at-")) {
        json(ex, 401, "{\"error\":\"invalid_token\"}");
        return;
      }
      json(ex, 200, "{\"sub\":\"user-1\",\"email\":\"alice@example.com\",\"groups\":[\"staff\"]}");
    });
    server.start();
  }

  void rotate() throws Exception {
    synchronized (keys) {
      keys.add(0, new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate());
    }
  }

  /** What the browser would get back after logging in at {@code location}. */
  URI authorize(URI location) {
    Map<String, String> q = query(location.getRawQuery());
    String code = UUID.randomUUID().toString();
    codes.put(code, q);
    return URI.create(q.get("redirect_uri") + "?code=" + code + "&state=" + q.get("state"));
  }

  String idToken(Map<String, String> req) throws Exception {
    RSAKey k;
    synchronized (keys) {
      k = keys.get(0);
    }
    Date now = Date.from(clock.instant());
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer(issuer).subject("user-1").audience(clientId)
        .issueTime(now).expirationTime(new Date(now.getTime() + 300_000)).claim("nonce", req.get("nonce"))
        .claim("acr", "mfa").claim("amr", List.of("pwd", "otp")).claim("sid", "sess-9")
        .claim("auth_time", now.getTime() / 1000);
    tamper.accept(b);
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(k.getKeyID()).build(), b.build());
    jwt.sign(new RSASSASigner(k));
    return jwt.serialize();
  }

  private void token(HttpExchange ex) throws IOException {
    tokenCalls.incrementAndGet();
    Map<String, String> form = query(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    try {
      if (!clientAuthenticated(ex, form)) {
        json(ex, 401, "{\"error\":\"invalid_client\"}");
        return;
      }
      Map<String, String> req = codes.remove(form.getOrDefault("code", ""));
      boolean pkce = req != null && form.containsKey("code_verifier")
          && CodeChallenge.compute(CodeChallengeMethod.S256, new CodeVerifier(form.get("code_verifier")))
              .getValue().equals(req.get("code_challenge"))
          && "S256".equals(req.get("code_challenge_method"));
      if (!pkce || !req.get("redirect_uri").equals(form.get("redirect_uri"))) {
        json(ex, 400, "{\"error\":\"invalid_grant\"}");
        return;
      }
      json(ex, 200, "{\"access_token\":\"at-" + UUID.randomUUID() + "\",\"token_type\":\"Bearer\",\"expires_in\":300,"
          + "\"id_token\":\"" + idToken(req) + "\"}");
    } catch (Exception e) {
      json(ex, 500, "{\"error\":\"server_error\"}");
    }
  }

  private boolean clientAuthenticated(HttpExchange ex, Map<String, String> form) throws Exception {
    String basic = ex.getRequestHeaders().getFirst("Authorization");
    if (basic != null && basic.startsWith("Basic ")) {
      String[] cs = new String(Base64.getDecoder().decode(basic.substring(6)), StandardCharsets.UTF_8).split(":", 2);
      return cs.length == 2 && clientId.equals(URLDecoder.decode(cs[0], StandardCharsets.UTF_8))
          && secret.equals(URLDecoder.decode(cs[1], StandardCharsets.UTF_8));
    }
    String assertion = form.get("client_assertion");
    if (assertion != null && clientAssertionKey != null) {
      SignedJWT jwt = SignedJWT.parse(assertion);
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      return jwt.verify(new RSASSAVerifier((RSAPublicKey) clientAssertionKey))
          && clientId.equals(c.getIssuer()) && clientId.equals(c.getSubject())
          && c.getAudience().contains(issuer + "/token")
          && c.getExpirationTime().after(Date.from(clock.instant()));
    }
    return false;
  }

  static Map<String, String> query(String raw) {
    Map<String, String> m = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return m;
    }
    for (String p : raw.split("&")) {
      int i = p.indexOf('=');
      m.put(URLDecoder.decode(p.substring(0, i), StandardCharsets.UTF_8),
          URLDecoder.decode(p.substring(i + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  private static void json(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
