package dev.bulwark.spring.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.webauthn.WebAuthn;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import dev.bulwark.testing.webauthn.VirtualAuthenticator;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The WebAuthn endpoints in a real embedded Tomcat with a virtual authenticator: register a
 * passkey and sign in with it, step up with it; and what an adversary tries: replayed assertions,
 * another origin or RP id, a stale or stolen session registering a passkey, another session's
 * ceremony, missing CSRF token, oversized and malformed bodies, probing for accounts.
 */
class BulwarkWebAuthnWebTest extends RunningWebTestApp {

  static final String BASE = BulwarkWebAuthnEndpoints.DEFAULT_BASE_PATH;

  /** A browser signed in with password and TOTP (AAL2, second factor verified now). */
  private static Browser signedInWithTotp(String user, String... roles) throws Exception {
    app.account(context, user, roles);
    WebTestApp.Totp totp = app.enrolTotp(context, user);
    Browser b = new Browser(port).withCsrf();
    HttpResponse<String> r = b.form("/login", Map.of("username", user, "password", WebTestApp.PASSWORD,
        "totp", totp.now()));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    return b;
  }

  private static String finish(String ceremonyId, String credential) {
    return "{\"ceremonyId\":\"" + ceremonyId + "\",\"credential\":" + credential + "}";
  }

  /** Registers a passkey on {@code key} for the signed-in user of {@code b}. */
  private static void register(Browser b, VirtualAuthenticator key) throws Exception {
    HttpResponse<String> options = b.post(BASE + "/register/options", "{\"displayName\":\"My key\"}");
    assertThat(options.statusCode()).as(options.body()).isEqualTo(200);
    JsonNode o = Browser.json(options);
    String credential = key.register(o.get("options").toString());
    HttpResponse<String> done = b.post(BASE + "/register/finish", finish(o.get("ceremonyId").asText(), credential));
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    assertThat(Browser.json(done).get("registered").asBoolean()).isTrue();
  }

  private static long events(String type, String subject) {
    return app.events.stream().filter(e -> e.type().equals(type) && e.subject().equals(java.util.Optional.of(subject))).count();
  }

  @Test
  void registerAPasskey_thenSignInWithIt_fromAnotherBrowser() throws Exception {
    Browser b = signedInWithTotp("alice", "editor");
    VirtualAuthenticator key = new VirtualAuthenticator(WebTestApp.ORIGIN);
    register(b, key);
    assertThat(context.getBean(CredentialStore.class).forUsername("alice")).hasSize(1);
    assertThat(events("authn_webauthn_registered", "alice")).isEqualTo(1);

    Browser other = new Browser(port).withCsrf();
    HttpResponse<String> options = other.post(BASE + "/authenticate/options", "{}");
    assertThat(options.statusCode()).isEqualTo(200);
    JsonNode o = Browser.json(options);
    assertThat(o.get("options").get("publicKey").has("allowCredentials")
        && o.get("options").get("publicKey").get("allowCredentials").size() > 0).isFalse();
    String assertion = key.authenticate(o.get("options").toString());
    HttpResponse<String> done = other.post(BASE + "/authenticate/finish", finish(o.get("ceremonyId").asText(), assertion));
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    JsonNode d = Browser.json(done);
    assertThat(d.get("authenticated").asBoolean()).isTrue();
    assertThat(d.get("stepUp").asBoolean()).isFalse();
    // A user-verified, device-bound credential proves AAL3.
    assertThat(d.get("level").asText()).isEqualTo("AAL3");
    assertThat(Browser.setCookies(done, COOKIE)).singleElement().satisfies(c ->
        assertThat(c).matches(COOKIE + "=[A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Lax"));

    JsonNode me = Browser.json(other.get("/test/me"));
    assertThat(me.get("name").asText()).isEqualTo("alice");
    assertThat(me.get("level").asText()).isEqualTo("AAL3");
    assertThat(me.get("factors").has("WEBAUTHN")).isTrue();
    assertThat(me.get("authorities").toString()).isEqualTo("[\"ROLE_editor\"]");
    assertThat(app.events.stream().filter(e -> e.type().equals("authn_login_success") && e.subject().equals(java.util.Optional.of("alice")))
        .map(SecurityEvent::details).anyMatch(det -> "WEBAUTHN".equals(det.get("factor")))).isTrue();
  }

  @Test
  void replayedAssertion_isRefused_withTheSameAnswerAsAnyFailure() throws Exception {
    Browser b = signedInWithTotp("bob");
    VirtualAuthenticator key = new VirtualAuthenticator(WebTestApp.ORIGIN);
    register(b, key);
    Browser thief = new Browser(port).withCsrf();
    JsonNode o = Browser.json(thief.post(BASE + "/authenticate/options", "{}"));
    String body = finish(o.get("ceremonyId").asText(), key.authenticate(o.get("options").toString()));
    assertThat(thief.post(BASE + "/authenticate/finish", body).statusCode()).isEqualTo(200);
    Browser replayer = new Browser(port).withCsrf();
    HttpResponse<String> replay = replayer.post(BASE + "/authenticate/finish", body);
    assertThat(replay.statusCode()).isEqualTo(401);
    assertThat(replay.body()).isEqualTo("{\"error\":\"authentication_failed\"}");
    assertThat(Browser.setCookies(replay, COOKIE)).isEmpty();
    // The same assertion against a fresh ceremony: its signature covers the old challenge.
    JsonNode fresh = Browser.json(replayer.post(BASE + "/authenticate/options", "{}"));
    HttpResponse<String> again = replayer.post(BASE + "/authenticate/finish",
        finish(fresh.get("ceremonyId").asText(), WebTestApp.JSON.readTree(body).get("credential").toString()));
    assertThat(again.statusCode()).isEqualTo(401);
    assertThat(again.body()).isEqualTo("{\"error\":\"authentication_failed\"}");
  }

  @Test
  void assertionForAnotherOriginOrRpId_isRefused() throws Exception {
    Browser b = signedInWithTotp("carl");
    VirtualAuthenticator key = new VirtualAuthenticator(WebTestApp.ORIGIN);
    register(b, key);
    VirtualAuthenticator.Credential c = key.credentials().get(0);
    for (String[] wrong : new String[][] {{"https://evil.example.test", WebTestApp.RP_ID},
        {"https://app.example.test.evil.test", WebTestApp.RP_ID}, {WebTestApp.ORIGIN, "evil.test"}}) {
      Browser phished = new Browser(port).withCsrf();
      JsonNode o = Browser.json(phished.post(BASE + "/authenticate/options", "{}"));
      byte[] challenge = VirtualAuthenticator.challengeOf(o.get("options").toString());
      String assertion = key.assertion(c, challenge, wrong[0], wrong[1],
          VirtualAuthenticator.UP | VirtualAuthenticator.UV, ++c.counter, "webauthn.get");
      HttpResponse<String> r = phished.post(BASE + "/authenticate/finish", finish(o.get("ceremonyId").asText(), assertion));
      assertThat(r.statusCode()).as(Arrays.toString(wrong)).isEqualTo(401);
      assertThat(r.body()).isEqualTo("{\"error\":\"authentication_failed\"}");
      assertThat(phished.get("/test/me").statusCode()).isEqualTo(401);
    }
  }

  @Test
  void registration_needsARecentSecondFactor_notJustASessionCookie() throws Exception {
    // Anonymous: no.
    Browser anonymous = new Browser(port).withCsrf();
    HttpResponse<String> r = anonymous.post(BASE + "/register/options", "{}");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("{\"error\":\"authentication_required\"}");

    // Password only (AAL1): a second factor is needed first.
    app.account(context, "dora");
    Browser passwordOnly = new Browser(port).withCsrf();
    assertThat(passwordOnly.form("/login", Map.of("username", "dora", "password", WebTestApp.PASSWORD))
        .statusCode()).isEqualTo(204);
    r = passwordOnly.post(BASE + "/register/options", "{}");
    assertThat(r.statusCode()).isEqualTo(403);
    JsonNode refusal = Browser.json(r);
    assertThat(refusal.get("error").asText()).isEqualTo("step_up_required");
    assertThat(refusal.get("reason").asText()).isEqualTo("LEVEL_TOO_LOW");
    assertThat(refusal.get("level").asText()).isEqualTo("AAL2");

    // A stolen cookie of a session whose second factor is older than the window.
    Browser victim = signedInWithTotp("eve");
    JsonNode started = Browser.json(victim.post(BASE + "/register/options", "{}"));
    app.clock.advance(Duration.ofMinutes(6));
    Browser thief = new Browser(port).withCsrf();
    thief.cookies.put(COOKIE, victim.cookies.get(COOKIE));
    assertThat(Browser.json(thief.get("/test/me")).get("name").asText()).isEqualTo("eve");
    r = thief.post(BASE + "/register/options", "{}");
    assertThat(r.statusCode()).isEqualTo(403);
    refusal = Browser.json(r);
    assertThat(refusal.get("error").asText()).isEqualTo("step_up_required");
    assertThat(refusal.get("reason").asText()).isEqualTo("AUTHENTICATION_TOO_OLD");
    assertThat(refusal.get("maxAgeSeconds").asLong()).isEqualTo(300);
    assertThat(refusal.get("factors").toString()).contains("WEBAUTHN", "TOTP");
    // Finishing a ceremony started while the factor was fresh is refused as well.
    VirtualAuthenticator thiefsKey = new VirtualAuthenticator(WebTestApp.ORIGIN);
    r = thief.post(BASE + "/register/finish", finish(started.get("ceremonyId").asText(),
        thiefsKey.register(started.get("options").toString())));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(context.getBean(CredentialStore.class).forUsername("eve")).isEmpty();
  }

  @Test
  void anotherSessionsCeremony_cannotPutAPasskeyOnThatAccount() throws Exception {
    Browser victim = signedInWithTotp("fay");
    JsonNode started = Browser.json(victim.post(BASE + "/register/options", "{}"));
    Browser attacker = signedInWithTotp("gus");
    VirtualAuthenticator attackersKey = new VirtualAuthenticator(WebTestApp.ORIGIN);
    HttpResponse<String> r = attacker.post(BASE + "/register/finish", finish(started.get("ceremonyId").asText(),
        attackersKey.register(started.get("options").toString())));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(Browser.json(r).get("reason").asText()).isEqualTo("CEREMONY_OF_ANOTHER_SESSION");
    assertThat(context.getBean(CredentialStore.class).forUsername("fay")).isEmpty();
    assertThat(context.getBean(CredentialStore.class).forUsername("gus")).isEmpty();
  }

  @Test
  void stepUpWithThePasskey_rotatesTheToken_andKillsTheOldOne() throws Exception {
    Browser b = signedInWithTotp("hank", "admin");
    VirtualAuthenticator key = new VirtualAuthenticator(WebTestApp.ORIGIN);
    register(b, key);
    app.clock.advance(Duration.ofMinutes(6));
    assertThat(b.post(BASE + "/register/options", "{}").statusCode()).isEqualTo(403);
    String before = b.cookies.get(COOKIE);
    String sessionBefore = Browser.json(b.get("/test/me")).get("session").asText();

    JsonNode o = Browser.json(b.post(BASE + "/authenticate/options", "{}"));
    // Signed in: the ceremony names the user's own credentials.
    assertThat(o.get("options").get("publicKey").get("allowCredentials").get(0).get("id").asText())
        .isEqualTo(key.credentials().get(0).idBase64Url());
    HttpResponse<String> done = b.post(BASE + "/authenticate/finish",
        finish(o.get("ceremonyId").asText(), key.authenticate(o.get("options").toString())));
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    JsonNode d = Browser.json(done);
    assertThat(d.get("stepUp").asBoolean()).isTrue();
    assertThat(d.get("level").asText()).isEqualTo("AAL3");
    String after = b.cookies.get(COOKIE);
    assertThat(after).isNotEqualTo(before);
    JsonNode me = Browser.json(b.get("/test/me"));
    assertThat(me.get("session").asText()).isEqualTo(sessionBefore);
    assertThat(me.get("level").asText()).isEqualTo("AAL3");
    assertThat(me.get("authorities").toString()).isEqualTo("[\"ROLE_admin\"]");
    Browser old = new Browser(port);
    old.cookies.put(COOKIE, before);
    assertThat(old.get("/test/me").statusCode()).isEqualTo(401);
    // Freshly verified: a second passkey may be registered now.
    register(b, new VirtualAuthenticator(WebTestApp.ORIGIN));
  }

  @Test
  void unknownCredentialAndDeletedAccount_getTheSameAnswerAsAWrongSignature() throws Exception {
    Browser b = signedInWithTotp("ivy");
    VirtualAuthenticator key = new VirtualAuthenticator(WebTestApp.ORIGIN);
    register(b, key);
    // A credential the server never saw.
    VirtualAuthenticator stranger = new VirtualAuthenticator(WebTestApp.ORIGIN);
    stranger.newCredential(new byte[32], WebTestApp.RP_ID);
    Browser s = new Browser(port).withCsrf();
    JsonNode o = Browser.json(s.post(BASE + "/authenticate/options", "{}"));
    HttpResponse<String> unknown = s.post(BASE + "/authenticate/finish",
        finish(o.get("ceremonyId").asText(), stranger.authenticate(o.get("options").toString())));
    // An unknown ceremony.
    HttpResponse<String> noCeremony = s.post(BASE + "/authenticate/finish",
        finish("0123456789abcdef0123456789abcdef", key.authenticate(o.get("options").toString())));
    // The account is gone but its passkey is still stored.
    app.accounts.remove("ivy");
    o = Browser.json(s.post(BASE + "/authenticate/options", "{}"));
    HttpResponse<String> deleted = s.post(BASE + "/authenticate/finish",
        finish(o.get("ceremonyId").asText(), key.authenticate(o.get("options").toString())));
    for (HttpResponse<String> r : java.util.List.of(unknown, noCeremony, deleted)) {
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.body()).isEqualTo("{\"error\":\"authentication_failed\"}");
      assertThat(Browser.setCookies(r, COOKIE)).isEmpty();
    }
    assertThat(sessions.list("ivy")).hasSize(1); // only the TOTP login's
  }

  @Test
  void anonymousOptions_doNotDependOnWhoAsks() throws Exception {
    Browser b = new Browser(port).withCsrf();
    HttpResponse<String> withName = b.post(BASE + "/authenticate/options", "{\"username\":\"alice\"}");
    assertThat(withName.statusCode()).isEqualTo(400);
    assertThat(withName.body()).isEqualTo("{\"error\":\"malformed_request\"}");
    JsonNode one = Browser.json(b.post(BASE + "/authenticate/options", "{}")).get("options").get("publicKey");
    JsonNode two = Browser.json(b.post(BASE + "/authenticate/options", "")).get("options").get("publicKey");
    assertThat(one.size()).isEqualTo(two.size());
    assertThat(one.has("allowCredentials") && one.get("allowCredentials").size() > 0).isFalse();
  }

  @Test
  void everyEndpoint_needsTheCsrfToken() throws Exception {
    Browser b = signedInWithTotp("jack");
    for (String endpoint : new String[] {"/register/options", "/register/finish", "/authenticate/options",
        "/authenticate/finish"}) {
      HttpResponse<String> r = b.postWithoutCsrf(BASE + endpoint, "{}");
      assertThat(r.statusCode()).as(endpoint).isEqualTo(403);
      assertThat(r.body()).doesNotContain("ceremonyId");
    }
  }

  @Test
  void badRequests_getTypedErrors_withoutStackTraces() throws Exception {
    Browser b = signedInWithTotp("kim");
    String[][] cases = {
        {"{", "400", "malformed_request"},
        {"[]", "400", "malformed_request"},
        {"{\"ceremonyId\":\"a\",\"ceremonyId\":\"b\",\"credential\":{}}", "400", "malformed_request"},
        {"{\"ceremonyId\":1,\"credential\":{}}", "400", "malformed_request"},
        {"{\"ceremonyId\":\"abc\"}", "400", "malformed_request"},
        {"{\"ceremonyId\":\"abc\",\"credential\":{},\"extra\":1}", "400", "malformed_request"},
        {"{\"ceremonyId\":\"abc\",\"credential\":{}} trailing", "400", "malformed_request"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = b.post(BASE + "/authenticate/finish", c[0]);
      assertThat(r.statusCode()).as(c[0]).isEqualTo(Integer.parseInt(c[1]));
      assertThat(r.body()).as(c[0]).isEqualTo("{\"error\":\"" + c[2] + "\"}");
    }
    // Parsed but not a credential: a typed refusal, not a 500.
    HttpResponse<String> notACredential = b.post(BASE + "/authenticate/finish",
        finish("0123456789abcdef0123456789abcdef", "{\"id\":\"x\"}"));
    assertThat(notACredential.statusCode()).isEqualTo(401);
    HttpResponse<String> wrongType = b.send(HttpRequest.newBuilder(URI.create(b.base + BASE + "/register/options"))
        .header(b.csrfHeader, b.csrfToken).header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertThat(wrongType.statusCode()).isEqualTo(415);
    assertThat(wrongType.body()).isEqualTo("{\"error\":\"unsupported_media_type\"}");
    HttpResponse<String> get = b.get(BASE + "/authenticate/options");
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).contains("POST");
    assertThat(get.headers().firstValue("Cache-Control")).contains("no-store");
  }

  @Test
  void oversizedBodies_areRefusedBeforeParsing() throws Exception {
    Browser b = signedInWithTotp("lee");
    String big = "{\"ceremonyId\":\"" + "a".repeat(70 * 1024) + "\",\"credential\":{}}";
    HttpResponse<String> declared = b.post(BASE + "/authenticate/finish", big);
    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(declared.body()).isEqualTo("{\"error\":\"request_too_large\"}");
    // Streamed without a Content-Length (chunked): cut off at the limit all the same.
    byte[] bytes = big.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    HttpResponse<String> chunked = b.send(HttpRequest.newBuilder(URI.create(b.base + BASE + "/authenticate/finish"))
        .header(b.csrfHeader, b.csrfToken).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))));
    assertThat(chunked.statusCode()).isEqualTo(413);
    assertThat(chunked.body()).isEqualTo("{\"error\":\"request_too_large\"}");
  }

  @Test
  void theWebAuthnServiceIsTheAutoConfiguredOne() {
    assertThat(context.getBean(WebAuthn.class)).isNotNull();
    assertThat(context.getBean(BulwarkWebAuthnEndpoints.class).registrationMaxAge()).isEqualTo(Duration.ofMinutes(5));
  }
}
