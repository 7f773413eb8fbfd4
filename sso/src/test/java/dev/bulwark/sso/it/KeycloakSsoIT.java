package dev.bulwark.sso.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.sso.Protocol;
import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoEvent;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.TestKeys;
import dev.bulwark.sso.VerifiedIdentity;
import dev.bulwark.sso.oidc.AuthorizationStart;
import dev.bulwark.sso.oidc.OidcRelyingParty;
import dev.bulwark.sso.oidc.OidcSignIn;
import dev.bulwark.sso.oidc.ProviderMetadata;
import dev.bulwark.sso.saml.IdpMetadata;
import dev.bulwark.sso.saml.SamlRedirect;
import dev.bulwark.sso.saml.SamlServiceProvider;
import dev.bulwark.testing.keycloak.LocalKeycloak;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signs in through a real Keycloak with both protocols, driving its login form over plain HTTP,
 * refuses a response Keycloak signed but someone altered, and logs out.
 */
class KeycloakSsoIT {

  static LocalKeycloak kc;
  final List<SsoEvent> events = new ArrayList<>();

  @BeforeAll
  static void keycloak() throws Exception {
    kc = BulwarkRealm.keycloak();
  }

  SamlServiceProvider sp() throws Exception {
    HttpResponse<byte[]> md = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(kc.realmUrl() + "/protocol/saml/descriptor")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    IdpMetadata idp = IdpMetadata.parse(md.body());
    return SamlServiceProvider.builder("https://app.example/saml", URI.create("https://app.example/saml/acs"), idp)
        .signingKey(TestKeys.SP_KEY, TestKeys.SP_CERT)
        .singleLogoutService(URI.create("https://app.example/saml/slo"))
        .listener(events::add)
        .build();
  }

  @Test
  void saml_signIn_tamperRefused_replayRefused_logout() throws Exception {
    SamlServiceProvider sp = sp();
    Browser browser = new Browser(kc.base());
    SamlRedirect go = sp.authnRequestRedirect("");
    HttpResponse<String> form = browser.login(browser.get(go.location()), "alice", "alice-correct-horse");
    String samlResponse = Browser.hiddenInput(form.body(), "SAMLResponse");

    String xml = new String(Base64.getDecoder().decode(samlResponse), StandardCharsets.UTF_8);
    String tampered = Base64.getEncoder().encodeToString(
        xml.replace("alice@example.com", "admin@example.com").getBytes(StandardCharsets.UTF_8));
    assertTrue(xml.contains("alice@example.com"));
    assertEquals(RefusalReason.SIGNATURE_INVALID,
        assertThrows(SsoRefusedException.class, () -> sp.validate(tampered, go.request())).reason());

    VerifiedIdentity id = sp.validate(samlResponse, go.request());
    assertEquals(Protocol.SAML2, id.protocol());
    assertEquals(kc.realmUrl(), id.issuer());
    assertEquals("alice@example.com", id.subject());
    assertTrue(!id.sessionIndex().isEmpty());
    assertEquals(RefusalReason.REPLAYED,
        assertThrows(SsoRefusedException.class, () -> sp.validate(samlResponse, go.request())).reason());

    SamlRedirect out = sp.logoutRequest(id, "");
    HttpResponse<String> back = browser.get(out.location());
    if (back.statusCode() / 100 == 3) {
      sp.validateLogoutResponse(back.headers().firstValue("Location").orElseThrow().replaceFirst("^[^?]*\\?", ""),
          out.request());
    } else {
      sp.validateLogoutResponsePost(Browser.hiddenInput(back.body(), "SAMLResponse"), out.request());
    }
    assertEquals(SsoEvent.Type.LOGOUT_SUCCEEDED, events.get(events.size() - 1).type());
    // The IdP session is gone: a new request shows the login form again.
    HttpResponse<String> again = browser.get(sp.authnRequestRedirect("").location());
    assertTrue(again.body().contains("login-actions/authenticate"), "IdP session ended");
  }

  @Test
  void oidc_signIn_withPkce_andLogout() throws Exception {
    ProviderMetadata md = ProviderMetadata.discover(URI.create(kc.realmUrl()), Duration.ofSeconds(30));
    OidcRelyingParty rp = OidcRelyingParty.builder(md, "bulwark-oidc", URI.create("http://127.0.0.1/oidc/callback"))
        .clientSecret("bulwark-oidc-secret").fetchUserInfo().httpTimeout(Duration.ofSeconds(60))
        .listener(events::add).build();
    Browser browser = new Browser(kc.base());
    AuthorizationStart start = rp.begin();
    HttpResponse<String> cb = browser.login(browser.get(start.location()), "alice", "alice-correct-horse");
    assertEquals(302, cb.statusCode());
    URI callback = URI.create(cb.headers().firstValue("Location").orElseThrow());
    OidcSignIn in = rp.complete(callback, start.pending());
    assertEquals(kc.realmUrl(), in.identity().issuer());
    assertEquals(Optional.of("alice@example.com"), in.identity().attribute("email"));
    assertEquals(SsoEvent.Type.LOGIN_SUCCEEDED, events.get(events.size() - 1).type());
    // The same callback again: Keycloak refuses the used code.
    assertEquals(RefusalReason.PROVIDER_ERROR,
        assertThrows(SsoRefusedException.class, () -> rp.complete(callback, start.pending())).reason());

    HttpResponse<String> bye = browser.get(rp.logout(in, URI.create("http://127.0.0.1/bye"), "s1"));
    assertEquals(302, bye.statusCode());
    assertTrue(bye.headers().firstValue("Location").orElseThrow().startsWith("http://127.0.0.1/bye"));
    AuthorizationStart again = rp.begin();
    assertTrue(browser.get(again.location()).body().contains("login-actions/authenticate"), "OP session ended");
  }
}
