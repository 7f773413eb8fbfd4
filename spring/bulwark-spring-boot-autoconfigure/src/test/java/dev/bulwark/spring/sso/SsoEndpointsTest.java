package dev.bulwark.spring.sso;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.session.InMemorySessionStore;
import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.spring.security.BulwarkAuthentication;
import dev.bulwark.spring.sso.internal.SealedCookie;
import dev.bulwark.sso.SsoAssuranceLevel;
import dev.bulwark.sso.VerifiedIdentity;
import dev.bulwark.sso.saml.SamlServiceProvider;
import dev.bulwark.sso.saml.SentRequest;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testkit.sso.SamlAttackCorpus;
import dev.bulwark.testkit.sso.TestIdp;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.Authentication;

/**
 * The SAML endpoints end to end in process: a sign-in started at {@code /sso/t/login} and
 * answered by a test identity provider ends in a Bulwark session; every response of the XSW and
 * abuse corpus, posted to the assertion consumer service with the browser's genuine state cookie,
 * is refused with its reason, the same generic answer, and nobody signed in.
 */
class SsoEndpointsTest {

  static final URI BASE = URI.create("https://app.test");

  /** One application instance around a test identity provider. */
  static final class Fixture {
    final FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T10:00:00Z"));
    final TestIdp idp = new TestIdp();
    final byte[] key = new byte[32];
    final List<SecurityEvent> events = new ArrayList<>();
    final Sessions sessions = Sessions.builder(new InMemorySessionStore(clock)).clock(clock).build();
    final RecordingBinder binder = new RecordingBinder();
    final SsoRegistrations registrations;
    final SamlServiceProvider sp;
    final SsoEndpoints endpoints;
    SsoAccountMapper mapper = (reg, id) -> Optional.of(new SsoAccount("acct-" + id.subject(), Set.of("user")));

    Fixture() {
      new SecureRandom().nextBytes(key);
      SsoRegistrations urls = new SsoRegistrations(BASE, List.of());
      sp = SamlServiceProvider.builder(urls.metadataUrl("t").toString(), urls.assertionConsumerService("t"),
          idp.metadata()).singleLogoutService(urls.singleLogoutService("t")).clock(clock).build();
      registrations = new SsoRegistrations(BASE, List.of(SsoRegistration.saml("t", "Test IdP", () -> sp)));
      endpoints = new SsoEndpoints(registrations, (reg, id) -> mapper.map(reg, id), sessions, events::add, key,
          new SsoEndpoints.Settings(Duration.ofHours(1), "/home", "/bye", Optional.empty()), clock);
    }

    MockHttpServletResponse get(String path, Cookie... cookies) throws Exception {
      MockHttpServletRequest req = new MockHttpServletRequest("GET", path);
      if (path.contains("?")) {
        req.setRequestURI(path.substring(0, path.indexOf('?')));
        req.setQueryString(path.substring(path.indexOf('?') + 1));
        for (String kv : req.getQueryString().split("&")) {
          String[] p = kv.split("=", 2);
          req.addParameter(p[0], java.net.URLDecoder.decode(p[1], java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      if (cookies.length > 0) {
        req.setCookies(cookies);
      }
      MockHttpServletResponse resp = new MockHttpServletResponse();
      assertThat(endpoints.handleFlow(req, resp, binder)).isTrue();
      return resp;
    }

    MockHttpServletResponse postAcs(String samlResponse, Cookie... cookies) throws Exception {
      MockHttpServletRequest req = new MockHttpServletRequest("POST", "/sso/t/acs");
      req.addParameter("SAMLResponse", samlResponse);
      if (cookies.length > 0) {
        req.setCookies(cookies);
      }
      MockHttpServletResponse resp = new MockHttpServletResponse();
      assertThat(endpoints.handleFlow(req, resp, binder)).isTrue();
      return resp;
    }

    /** Starts a sign-in; the state cookie the browser got and the request it stands for. */
    Started start() throws Exception {
      MockHttpServletResponse r = get("/sso/t/login?target=/notes");
      assertThat(r.getStatus()).isEqualTo(302);
      assertThat(r.getRedirectedUrl()).startsWith(TestIdp.SSO + "?SAMLRequest=");
      String setCookie = r.getHeaders("Set-Cookie").stream().filter(h -> h.startsWith(SsoEndpoints.STATE_COOKIE + "="))
          .findFirst().orElseThrow();
      assertThat(setCookie).contains("HttpOnly").contains("Secure").contains("SameSite=None").contains("Path=/sso");
      String value = setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
      List<String> fields = new SealedCookie(key).open(SsoEndpoints.STATE_COOKIE, value).orElseThrow();
      return new Started(new Cookie(SsoEndpoints.STATE_COOKIE, value),
          new SentRequest(fields.get(3), Instant.ofEpochSecond(Long.parseLong(fields.get(4)))));
    }

    SamlAttackCorpus.Context context(SentRequest sent) {
      return new SamlAttackCorpus.Context(idp, sp, sent, registrations.metadataUrl("t").toString(),
          registrations.assertionConsumerService("t"), clock, Optional.empty());
    }

    SecurityEvent lastEvent() {
      return events.get(events.size() - 1);
    }
  }

  record Started(Cookie cookie, SentRequest sent) {}

  static final class RecordingBinder implements SsoSessionBinder {
    final List<BulwarkAuthentication> signedIn = new ArrayList<>();
    Authentication current;

    @Override
    public void signIn(BulwarkAuthentication authentication, IssuedSession issued, HttpServletRequest request,
        HttpServletResponse response) {
      signedIn.add(authentication);
      current = authentication;
    }

    @Override
    public Optional<Authentication> current(HttpServletRequest request, HttpServletResponse response) {
      return Optional.ofNullable(current);
    }

    @Override
    public void signOut(HttpServletRequest request, HttpServletResponse response) {
      current = null;
    }
  }

  @Test
  void genuineResponse_signsIn_atTheMappedLevel_andIsOneEvent() throws Exception {
    Fixture f = new Fixture();
    Started s = f.start();
    MockHttpServletResponse r = f.postAcs(SamlAttackCorpus.genuine(f.context(s.sent())), s.cookie());
    assertThat(r.getStatus()).isEqualTo(302);
    assertThat(r.getRedirectedUrl()).isEqualTo("/notes");
    assertThat(f.binder.signedIn).hasSize(1);
    BulwarkAuthentication auth = f.binder.signedIn.get(0);
    assertThat(auth.getName()).isEqualTo("acct-alice@example.com");
    assertThat(auth.assuranceLevel()).isEqualTo(AssuranceLevel.AAL1);
    assertThat(auth.factors()).containsOnlyKeys(Factor.FEDERATED);
    assertThat(auth.getAuthorities()).extracting(Object::toString).containsExactly("ROLE_user");
    assertThat(auth.getDetails()).isEqualTo(new SsoSignInDetails("t", dev.bulwark.sso.Protocol.SAML2,
        TestIdp.ENTITY_ID, "alice@example.com"));
    assertThat(f.sessions.list(auth.getName())).singleElement()
        .satisfies(sess -> assertThat(sess.id()).isEqualTo(auth.sessionId()));
    assertThat(f.lastEvent().type()).isEqualTo("authn_login_success");
    assertThat(f.lastEvent().subject()).contains("acct-alice@example.com");
    assertThat(f.lastEvent().details()).containsEntry("protocol", "saml2").containsEntry("registration", "t")
        .containsEntry("aal", "AAL1").containsEntry("factor", "FEDERATED");
    assertThat(r.getHeaders("Set-Cookie")).anySatisfy(h -> assertThat(h).startsWith(SsoEndpoints.LOGIN_COOKIE + "="))
        .anySatisfy(h -> assertThat(h).startsWith(SsoEndpoints.STATE_COOKIE + "=;").contains("Max-Age=0"));
  }

  @Test
  void multiFactorContext_givesAal2_andAPhishingResistantOneStillOnlyAal2() throws Exception {
    for (var c : Map.of("urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract", AssuranceLevel.AAL2,
        "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI", AssuranceLevel.AAL2).entrySet()) {
      Fixture f = new Fixture();
      Started s = f.start();
      String response = TestIdp.encode(signedWithContext(f.context(s.sent()), c.getKey()));
      assertThat(f.postAcs(response, s.cookie()).getStatus()).isEqualTo(302);
      assertThat(f.binder.signedIn.get(0).assuranceLevel()).as(c.getKey()).isEqualTo(c.getValue());
    }
    assertThat(SsoEndpoints.level(SsoAssuranceLevel.AAL3)).isEqualTo(AssuranceLevel.AAL2);
  }

  private static org.w3c.dom.Document signedWithContext(SamlAttackCorpus.Context c, String context) {
    TestIdp.Spec spec = c.spec();
    spec.authnContext = context;
    org.w3c.dom.Document d = TestIdp.build(spec);
    TestIdp.sign(TestIdp.assertion(d), c.idp().signing());
    return d;
  }

  @Test
  void withoutTheStateCookie_orWithAnAlteredOne_theGenuineResponseIsRefused() throws Exception {
    Fixture f = new Fixture();
    Started s = f.start();
    String genuine = SamlAttackCorpus.genuine(f.context(s.sent()));
    MockHttpServletResponse none = f.postAcs(genuine);
    String v = s.cookie().getValue();
    String flipped = v.substring(0, 20) + (v.charAt(20) == 'A' ? 'B' : 'A') + v.substring(21);
    MockHttpServletResponse altered = f.postAcs(genuine, new Cookie(SsoEndpoints.STATE_COOKIE, flipped));
    MockHttpServletResponse otherKey = new Fixture().postAcs(genuine, s.cookie());
    for (MockHttpServletResponse r : List.of(none, altered, otherKey)) {
      assertThat(r.getStatus()).isEqualTo(401);
      assertThat(r.getContentAsString()).isEqualTo(none.getContentAsString()).contains("Sign-in failed");
    }
    assertThat(f.binder.signedIn).isEmpty();
    assertThat(f.lastEvent().type()).isEqualTo("authn_login_fail");
    assertThat(f.lastEvent().details()).containsEntry("reason", "STATE_INVALID");
    // The response itself was never looked at: it still signs in with its own cookie.
    assertThat(f.postAcs(genuine, s.cookie()).getStatus()).isEqualTo(302);
  }

  @Test
  void theMapperRefusing_orFailing_signsNobodyIn() throws Exception {
    Fixture f = new Fixture();
    f.mapper = SsoAccountMapper.REFUSE_ALL;
    Started s = f.start();
    MockHttpServletResponse refused = f.postAcs(SamlAttackCorpus.genuine(f.context(s.sent())), s.cookie());
    assertThat(refused.getStatus()).isEqualTo(401);
    assertThat(f.lastEvent().details()).containsEntry("reason", "ACCOUNT_REFUSED");
    f.mapper = (reg, id) -> {
      throw new IllegalStateException("directory down");
    };
    Started s2 = f.start();
    MockHttpServletResponse failed = f.postAcs(SamlAttackCorpus.genuine(f.context(s2.sent())), s2.cookie());
    assertThat(failed.getStatus()).isEqualTo(401);
    assertThat(failed.getContentAsString()).isEqualTo(refused.getContentAsString()).doesNotContain("directory");
    assertThat(f.lastEvent().details()).containsEntry("reason", "ACCOUNT_ERROR");
    assertThat(f.binder.signedIn).isEmpty();
    assertThat(f.sessions.list("acct-alice@example.com")).isEmpty();
  }

  @Test
  void login_keepsOnlyLocalTargets() throws Exception {
    Fixture f = new Fixture();
    for (String evil : List.of("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)")) {
      MockHttpServletResponse r = f.get("/sso/t/login?target=" + java.net.URLEncoder.encode(evil,
          java.nio.charset.StandardCharsets.UTF_8));
      String setCookie = r.getHeader("Set-Cookie");
      String value = setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
      assertThat(new SealedCookie(f.key).open(SsoEndpoints.STATE_COOKIE, value).orElseThrow().get(5)).isEqualTo("/home");
    }
  }

  @Test
  void metadata_isServed_andUnknownRegistrationsAreNotFound() throws Exception {
    Fixture f = new Fixture();
    MockHttpServletResponse md = f.get("/sso/t/metadata");
    assertThat(md.getContentType()).startsWith("application/samlmetadata+xml");
    assertThat(md.getContentAsString()).contains("entityID=\"https://app.test/sso/t/metadata\"")
        .contains("Location=\"https://app.test/sso/t/acs\"");
    assertThat(f.get("/sso/other/login").getStatus()).isEqualTo(404);
    MockHttpServletRequest elsewhere = new MockHttpServletRequest("GET", "/notes");
    assertThat(f.endpoints.handleFlow(elsewhere, new MockHttpServletResponse(), f.binder)).isFalse();
  }

  @Test
  void logout_revokesTheBulwarkSession_andSendsASamlLogoutRequest() throws Exception {
    Fixture f = new Fixture();
    Started s = f.start();
    MockHttpServletResponse in = f.postAcs(SamlAttackCorpus.genuine(f.context(s.sent())), s.cookie());
    String login = in.getHeaders("Set-Cookie").stream().filter(h -> h.startsWith(SsoEndpoints.LOGIN_COOKIE + "="))
        .findFirst().orElseThrow();
    Cookie loginCookie = new Cookie(SsoEndpoints.LOGIN_COOKIE, login.substring(login.indexOf('=') + 1, login.indexOf(';')));
    String account = f.binder.signedIn.get(0).getName();
    MockHttpServletRequest get = new MockHttpServletRequest("GET", "/sso/logout");
    MockHttpServletResponse notPost = new MockHttpServletResponse();
    assertThat(f.endpoints.handleLogout(get, notPost, f.binder)).isTrue();
    assertThat(notPost.getStatus()).isEqualTo(405);
    assertThat(f.sessions.list(account)).hasSize(1);

    MockHttpServletRequest out = new MockHttpServletRequest("POST", "/sso/logout");
    out.setCookies(loginCookie);
    MockHttpServletResponse r = new MockHttpServletResponse();
    assertThat(f.endpoints.handleLogout(out, r, f.binder)).isTrue();
    assertThat(f.sessions.list(account)).isEmpty();
    assertThat(f.binder.current).isNull();
    assertThat(r.getRedirectedUrl()).startsWith(TestIdp.SLO + "?SAMLRequest=");
  }

  @Test
  void bothFilters_inOneChain_serveTheirEndpoints_andPassEverythingElse() throws Exception {
    Fixture f = new Fixture();
    jakarta.servlet.http.HttpServlet app = new jakarta.servlet.http.HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp) {
        resp.setStatus(299);
      }
    };
    SsoFilter signIn = new SsoFilter(SsoFilter.Phase.SIGN_IN, f.endpoints, f.binder);
    SsoFilter logout = new SsoFilter(SsoFilter.Phase.LOGOUT, f.endpoints, f.binder);
    MockHttpServletRequest login = new MockHttpServletRequest("GET", "/sso/t/login");
    MockHttpServletResponse r1 = new MockHttpServletResponse();
    new org.springframework.mock.web.MockFilterChain(app, signIn, logout).doFilter(login, r1);
    assertThat(r1.getStatus()).isEqualTo(302);
    MockHttpServletRequest out = new MockHttpServletRequest("POST", "/sso/logout");
    MockHttpServletResponse r2 = new MockHttpServletResponse();
    new org.springframework.mock.web.MockFilterChain(app, signIn, logout).doFilter(out, r2);
    assertThat(r2.getStatus()).isEqualTo(302);
    assertThat(r2.getRedirectedUrl()).isEqualTo("/bye");
    MockHttpServletResponse r3 = new MockHttpServletResponse();
    new org.springframework.mock.web.MockFilterChain(app, signIn, logout)
        .doFilter(new MockHttpServletRequest("GET", "/notes"), r3);
    assertThat(r3.getStatus()).isEqualTo(299);
  }

  @TestFactory
  Stream<DynamicTest> everyCorpusResponse_postedWithTheBrowsersOwnStateCookie_isRefused() {
    return SamlAttackCorpus.cases().stream().map(k -> DynamicTest.dynamicTest(k.name(), () -> {
      Fixture f = new Fixture();
      Started s = f.start();
      String response = k.craft().apply(f.context(s.sent()));
      int signedInBefore = 0;
      if (k.acceptFirst()) {
        assertThat(f.postAcs(response, s.cookie()).getStatus()).isEqualTo(302);
        signedInBefore = 1;
      }
      f.clock.advance(k.advance());
      MockHttpServletResponse r = f.postAcs(response, s.cookie());
      assertThat(r.getStatus()).as(k.name()).isEqualTo(401);
      assertThat(r.getContentAsString()).contains("Sign-in failed").doesNotContain("Exception");
      assertThat(f.binder.signedIn).as(k.name() + " signed someone in").hasSize(signedInBefore);
      assertThat(f.lastEvent().type()).isEqualTo("authn_login_fail");
      assertThat(k.expected().stream().map(Enum::name)).as(k.name())
          .contains(f.lastEvent().details().get("reason"));
    }));
  }
}
