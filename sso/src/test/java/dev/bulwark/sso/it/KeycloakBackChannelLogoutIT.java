package dev.bulwark.sso.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.util.JSONArrayUtils;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpServer;
import dev.bulwark.sso.SsoEvent;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.TestKeys;
import dev.bulwark.sso.VerifiedIdentity;
import dev.bulwark.sso.saml.IdpLogout;
import dev.bulwark.sso.saml.IdpMetadata;
import dev.bulwark.sso.saml.SamlRedirect;
import dev.bulwark.sso.saml.SamlServiceProvider;
import dev.bulwark.testing.keycloak.LocalKeycloak;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Identity-provider-initiated Single Logout from a real Keycloak: a SAML client with back-channel
 * logout whose logout URL is a loopback listener in this test. After a SAML sign-in, the admin API
 * logs the user out; Keycloak posts a signed {@code LogoutRequest} server to server, and the service
 * provider verifies it and ends the matching local session.
 */
class KeycloakBackChannelLogoutIT {

  static final String SP = "https://app.example/saml-bc";
  static final URI ACS = URI.create(SP + "/acs");

  static LocalKeycloak kc;
  final HttpClient http = HttpClient.newHttpClient();
  final List<SsoEvent> events = new CopyOnWriteArrayList<>();
  HttpServer listener;

  @BeforeAll
  static void keycloak() throws Exception {
    kc = BulwarkRealm.keycloak();
  }

  @AfterEach
  void stopListener() {
    if (listener != null) {
      listener.stop(0);
    }
  }

  @Test
  void adminLogout_deliversSignedLogoutRequest_thatEndsTheLocalSession() throws Exception {
    listener = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    URI slo = URI.create("http://127.0.0.1:" + listener.getAddress().getPort() + "/saml/slo");
    String admin = adminToken();
    createClient(admin, slo);

    HttpResponse<byte[]> md = http.send(
        HttpRequest.newBuilder(URI.create(kc.realmUrl() + "/protocol/saml/descriptor")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    SamlServiceProvider sp = SamlServiceProvider.builder(SP, ACS, IdpMetadata.parse(md.body()))
        .signingKey(TestKeys.SP_KEY, TestKeys.SP_CERT)
        .singleLogoutService(slo)
        .listener(events::add)
        .build();

    // The host's sessions: local session ID by (subject, IdP session index).
    Map<String, String> sessions = new ConcurrentHashMap<>();
    LinkedBlockingQueue<Object> outcomes = new LinkedBlockingQueue<>();
    listener.createContext("/saml/slo", exchange -> {
      Map<String, String> form = new HashMap<>();
      for (String pair : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.US_ASCII).split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          form.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
      int status = 400;
      try {
        IdpLogout out = sp.handleLogoutRequestPost(form.getOrDefault("SAMLRequest", ""),
            form.getOrDefault("RelayState", ""), (subject, indexes) -> {
              int n = 0;
              for (String index : indexes.isEmpty() ? List.copyOf(sessions.keySet()) : indexes) {
                n += sessions.remove(index) != null ? 1 : 0;
              }
              return n;
            });
        outcomes.add(out);
        status = 200;
      } catch (SsoRefusedException e) {
        outcomes.add(e);
      } catch (RuntimeException e) {
        outcomes.add(e);
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    listener.start();

    Browser browser = new Browser(kc.base());
    SamlRedirect go = sp.authnRequestRedirect("");
    HttpResponse<String> form = browser.login(browser.get(go.location()), "alice", "alice-correct-horse");
    VerifiedIdentity id = sp.validate(Browser.hiddenInput(form.body(), "SAMLResponse"), go.request());
    assertFalse(id.sessionIndex().isEmpty());
    sessions.put(id.sessionIndex(), "local-session-1");

    String userId = (String) ((Map<?, ?>) JSONArrayUtils.parse(adminGet(admin, "/users?exact=true&username=alice"))
        .get(0)).get("id");
    HttpResponse<String> logout = http.send(adminRequest(admin, "/users/" + userId + "/logout")
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(204, logout.statusCode(), logout.body());

    Object outcome = outcomes.poll(60, TimeUnit.SECONDS);
    if (outcome instanceof Exception e) {
      throw new AssertionError("the service provider refused Keycloak's logout request", e);
    }
    IdpLogout out = (IdpLogout) outcome;
    assertTrue(out != null, "Keycloak delivered no back-channel logout request");
    assertEquals(id.subject(), out.subject());
    assertEquals(List.of(id.sessionIndex()), out.sessionIndexes());
    assertTrue(out.success());
    assertEquals(Map.of(), sessions, "the local session ended");
    assertEquals(SsoEvent.Type.LOGOUT_SUCCEEDED, events.get(events.size() - 1).type());
    // The IdP session is gone as well: a new sign-in shows the login form.
    assertTrue(browser.get(sp.authnRequestRedirect("").location()).body().contains("login-actions/authenticate"));
  }

  private String adminToken() throws Exception {
    String body = "grant_type=password&client_id=admin-cli&username=admin&password="
        + URLEncoder.encode("admin-not-used", StandardCharsets.UTF_8);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(kc.base() + "/realms/master/protocol/openid-connect/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSONObjectUtils.getString(JSONObjectUtils.parse(r.body()), "access_token");
  }

  private HttpRequest.Builder adminRequest(String token, String path) {
    return HttpRequest.newBuilder(URI.create(kc.base() + "/admin/realms/" + kc.realm() + path))
        .header("Authorization", "Bearer " + token);
  }

  private String adminGet(String token, String path) throws Exception {
    HttpResponse<String> r = http.send(adminRequest(token, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  /** A SAML client like the realm's, but with back-channel logout to {@code slo}. */
  private void createClient(String token, URI slo) throws Exception {
    for (Object c : JSONArrayUtils.parse(adminGet(token, "/clients?clientId=" + URLEncoder.encode(SP, StandardCharsets.UTF_8)))) {
      http.send(adminRequest(token, "/clients/" + ((Map<?, ?>) c).get("id")).DELETE().build(),
          HttpResponse.BodyHandlers.discarding());
    }
    Map<String, Object> attributes = new HashMap<>();
    attributes.put("saml.assertion.signature", "true");
    attributes.put("saml.server.signature", "true");
    attributes.put("saml.client.signature", "false");
    attributes.put("saml.signature.algorithm", "RSA_SHA256");
    attributes.put("saml_signature_canonicalization_method", "http://www.w3.org/2001/10/xml-exc-c14n#");
    attributes.put("saml.force.post.binding", "true");
    attributes.put("saml.authnstatement", "true");
    attributes.put("saml_force_name_id_format", "true");
    attributes.put("saml_name_id_format", "email");
    attributes.put("saml_assertion_consumer_url_post", ACS.toString());
    attributes.put("saml_single_logout_service_url_post", slo.toString());
    attributes.put("saml_single_logout_service_url_redirect", slo.toString());
    Map<String, Object> client = Map.of("clientId", SP, "protocol", "saml", "enabled", true,
        "frontchannelLogout", false, "redirectUris", List.of(SP + "/*"), "attributes", attributes);
    HttpResponse<String> r = http.send(adminRequest(token, "/clients").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSONObjectUtils.toJSONString(client))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, r.statusCode(), r.body());
  }
}
