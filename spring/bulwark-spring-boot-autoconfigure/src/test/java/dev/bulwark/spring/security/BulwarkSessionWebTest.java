package dev.bulwark.spring.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.session.Session;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bulwark sessions as Spring Security's session mechanism, in a real embedded Tomcat: the cookie
 * and its attributes, no HttpSession, validation on every request (forged, expired, revoked
 * tokens are anonymous), a new token at each login, logout revoking on the server, CSRF.
 */
class BulwarkSessionWebTest extends RunningWebTestApp {

  private static Browser signedIn(String user) throws Exception {
    Browser b = new Browser(port).withCsrf();
    HttpResponse<String> r = b.form("/login", Map.of("username", user, "password", WebTestApp.PASSWORD));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    assertThat(b.cookies).containsKey(COOKIE);
    return b;
  }

  @Test
  void passwordLogin_setsTheSessionCookieWithItsAttributes_andUsesNoHttpSession() throws Exception {
    app.account(context, "carol", "editor");
    Browser b = new Browser(port).withCsrf();
    HttpResponse<String> login = b.form("/login", Map.of("username", "Carol", "password", WebTestApp.PASSWORD));
    assertThat(login.statusCode()).isEqualTo(204);
    List<String> set = Browser.setCookies(login, COOKIE);
    assertThat(set).hasSize(1);
    assertThat(set.get(0)).matches(COOKIE + "=[A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Lax");
    assertThat(login.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("JSESSIONID"));

    HttpResponse<String> me = b.get("/test/me");
    assertThat(me.statusCode()).isEqualTo(200);
    JsonNode n = Browser.json(me);
    assertThat(n.get("name").asText()).isEqualTo("carol");
    assertThat(n.get("type").asText()).isEqualTo("BulwarkAuthentication");
    assertThat(n.get("level").asText()).isEqualTo("AAL1");
    assertThat(n.get("factors").has("PASSWORD")).isTrue();
    assertThat(n.get("authorities").toString()).isEqualTo("[\"ROLE_editor\"]");
    assertThat(n.get("httpSession").asBoolean()).isFalse();
    assertThat(me.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("JSESSIONID"));
    // The session id is the public handle; the token is only in the cookie.
    assertThat(sessions.list("carol")).extracting(Session::id).containsExactly(n.get("session").asText());
    assertThat(n.toString()).doesNotContain(b.cookies.get(COOKIE));
  }

  @Test
  void wrongPassword_setsNoCookie() throws Exception {
    app.account(context, "dave");
    Browser b = new Browser(port).withCsrf();
    HttpResponse<String> r = b.form("/login", Map.of("username", "dave", "password", "not the password"));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(Browser.setCookies(r, COOKIE)).isEmpty();
    assertThat(b.get("/test/me").statusCode()).isEqualTo(401);
  }

  @Test
  void forgedMalformedAndPlantedCookies_areAnonymous() throws Exception {
    app.account(context, "erin");
    for (String forged : List.of("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "abc", "",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", "'; DROP TABLE sessions; --")) {
      Browser b = new Browser(port);
      b.cookies.put(COOKIE, forged);
      assertThat(b.get("/test/me").statusCode()).as(forged).isEqualTo(401);
    }
    // A second cookie of the same name beside a valid one (planted from a sibling domain when the
    // __Host- prefix is dropped): neither is trusted.
    Browser victim = signedIn("erin");
    String valid = victim.cookies.get(COOKIE);
    HttpResponse<String> r = victim.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(victim.base
        + "/test/me")).header("Cookie", COOKIE + "=" + valid + "; " + COOKIE + "=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(victim.get("/test/me").statusCode()).isEqualTo(200);
  }

  @Test
  void expiredSession_isAnonymous() throws Exception {
    app.account(context, "frank");
    Browser b = signedIn("frank");
    assertThat(b.get("/test/me").statusCode()).isEqualTo(200);
    app.clock.advance(sessions.policy(AssuranceLevel.AAL1).idleTimeout().plusSeconds(1));
    assertThat(b.get("/test/me").statusCode()).isEqualTo(401);
    assertThat(sessions.list("frank")).isEmpty();
  }

  @Test
  void revokedSession_isAnonymousAtTheNextRequest() throws Exception {
    app.account(context, "grace");
    Browser b = signedIn("grace");
    assertThat(b.get("/test/me").statusCode()).isEqualTo(200);
    assertThat(sessions.revokeAll("grace")).isEqualTo(1);
    assertThat(b.get("/test/me").statusCode()).isEqualTo(401);
  }

  @Test
  void login_issuesANewToken_andRevokesTheOneTheBrowserCameWith() throws Exception {
    app.account(context, "heidi");
    app.account(context, "mallory");
    // Session fixation: the attacker plants their own valid session token in the victim's browser.
    Browser attacker = signedIn("mallory");
    String planted = attacker.cookies.get(COOKIE);
    Browser victim = new Browser(port).withCsrf();
    victim.cookies.put(COOKIE, planted);
    HttpResponse<String> login = victim.form("/login", Map.of("username", "heidi", "password", WebTestApp.PASSWORD));
    assertThat(login.statusCode()).isEqualTo(204);
    String issued = victim.cookies.get(COOKIE);
    assertThat(issued).isNotEqualTo(planted);
    assertThat(Browser.json(victim.get("/test/me")).get("name").asText()).isEqualTo("heidi");
    // The planted token is dead: the attacker's browser does not share the victim's new session.
    assertThat(attacker.get("/test/me").statusCode()).isEqualTo(401);
    assertThat(sessions.list("mallory")).isEmpty();

    // Signing in again from the same browser: a new token again, the old one dead.
    HttpResponse<String> again = victim.form("/login", Map.of("username", "heidi", "password", WebTestApp.PASSWORD));
    assertThat(again.statusCode()).isEqualTo(204);
    assertThat(victim.cookies.get(COOKIE)).isNotEqualTo(issued);
    Browser old = new Browser(port);
    old.cookies.put(COOKIE, issued);
    assertThat(old.get("/test/me").statusCode()).isEqualTo(401);
    assertThat(sessions.list("heidi")).hasSize(1);
  }

  @Test
  void logout_revokesOnTheServer_andClearsTheCookie() throws Exception {
    app.account(context, "ivan");
    Browser b = signedIn("ivan");
    String token = b.cookies.get(COOKIE);
    HttpResponse<String> out = b.form("/logout", Map.of());
    assertThat(out.statusCode()).isEqualTo(204);
    // Once, though both the Bulwark handler and Spring's context handler run.
    assertThat(Browser.setCookies(out, COOKIE))
        .containsExactly(COOKIE + "=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0");
    assertThat(sessions.list("ivan")).isEmpty();
    // A copy of the cookie taken before logout (a stolen one) no longer works.
    Browser thief = new Browser(port);
    thief.cookies.put(COOKIE, token);
    assertThat(thief.get("/test/me").statusCode()).isEqualTo(401);
  }

  @Test
  void loginAndLogout_withoutTheCsrfToken_areRefused() throws Exception {
    app.account(context, "judy");
    Browser b = new Browser(port).withCsrf();
    b.csrfHeader = null;
    HttpResponse<String> r = b.form("/login", Map.of("username", "judy", "password", WebTestApp.PASSWORD));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(Browser.setCookies(r, COOKIE)).isEmpty();
    assertThat(sessions.list("judy")).isEmpty();

    Browser signed = signedIn("judy");
    signed.csrfHeader = null;
    assertThat(signed.form("/logout", Map.of()).statusCode()).isEqualTo(403);
    assertThat(sessions.list("judy")).hasSize(1);
    assertThat(signed.get("/test/me").statusCode()).isEqualTo(200);
  }
}
