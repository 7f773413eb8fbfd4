package dev.bulwark.samples.notes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.AuditQuery;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.testing.browser.HeadlessChromium;
import dev.bulwark.testing.keycloak.LocalKeycloak;
import dev.bulwark.testing.keycloak.SpKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * "Sign in with SSO" in the Notes app as a person does it: the app runs with the {@code sso}
 * profile against a real Keycloak (the realm of {@code samples/keycloak/notes-realm.json}, its
 * addresses pointed at this run's port), headless Chromium clicks "Sign in with SSO (SAML)" and
 * then "(OIDC)", types the password into Keycloak's own login page, and lands on the notes page of
 * the account the IdP's (issuer, subject) is linked to: a note is written and read back, the
 * admin page asks for the passkey step-up (the SAML account is the first, so the admin) or is
 * forbidden (the OIDC account), a second sign-in finds the same account, and signing out ends the
 * session (a copy of its cookie no longer opens a page).
 *
 * <p>Needs {@code /usr/bin/chromium}, {@code /usr/bin/chromedriver} (Selenium Manager is never
 * used) and a Java 21+ runtime for Keycloak ({@code -Dbulwark.keycloak.java}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotesSsoBrowserIT {

  private static final String REALM = "bulwark-notes";
  private static final String SESSION_COOKIE = "__Host-bulwark-session";

  private LocalKeycloak keycloak;
  private NotesApp app;
  private String appBase;
  private HeadlessChromium browser;
  private ChromeDriver driver;
  private WebDriverWait wait;
  private String samlAccount;

  @BeforeAll
  void start() throws Exception {
    HeadlessChromium.requireInstalled();
    Path work = Files.createTempDirectory("bulwark-notes-sso-it");
    int appPort = NotesApp.freePort();
    appBase = "http://localhost:" + appPort;
    // The realm a developer imports by hand, its redirect addresses moved to this run's port.
    // Keycloak's SAML metadata asks for signed requests: a key of this run, its certificate registered
    // with the client, which then refuses unsigned (or otherwise signed) requests.
    SpKeys sp = SpKeys.generate(work, "bulwark-notes-sp");
    Files.writeString(work.resolve("sp-key.pem"), sp.privateKeyPem());
    Files.writeString(work.resolve("sp-cert.pem"), sp.certificatePem());
    String realm = Files.readString(Path.of("keycloak", "notes-realm.json"), StandardCharsets.UTF_8)
        .replace("http://localhost:8080", appBase)
        .replace("\"saml.client.signature\": \"false\"",
            "\"saml.client.signature\": \"true\", \"saml.signing.certificate\": \"" + sp.certificateBase64() + "\"");
    assertTrue(realm.contains(sp.certificateBase64()));
    // Browsed as localhost, like the app (which answers only for localhost): one site, so cookies travel.
    keycloak = LocalKeycloak.start(REALM, realm, "localhost");
    // The app starts while Keycloak does: its metadata and discovery are read at the first sign-in.
    app = NotesApp.start(NotesApp.Options.defaults().withPort(appPort).withDataDir(work.resolve("data")),
        Clock.systemUTC(), "--spring.profiles.active=sso", "--keycloak.realm-url=" + keycloak.realmUrl(),
        "--bulwark.sso.oidc.kc-oidc.http-timeout=60s",
        "--bulwark.sso.saml.kc-saml.signing-key=file:" + work.resolve("sp-key.pem"),
        "--bulwark.sso.saml.kc-saml.signing-certificate=file:" + work.resolve("sp-cert.pem"));

    browser = HeadlessChromium.start(appBase, work.resolve("chromium"), "sso-");
    driver = browser.driver();
    wait = browser.waiter();
    keycloak.awaitRealm();
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (app != null) {
      app.close();
    }
    if (keycloak != null) {
      keycloak.stop();
    }
  }

  /** Clicks the sign-in page's SSO button and signs in on Keycloak's own login page. */
  private void signInThroughKeycloak(String registration) throws Exception {
    driver.get(appBase + "/login");
    wait.until(ExpectedConditions.elementToBeClickable(By.id("sso-" + registration))).click();
    browser.signInOnKeycloak(keycloak.base(), "alice", "alice-correct-horse", registration);
    browser.waitForPath("/notes");
  }

  /** The account name the page header shows. */
  private String shownAccount() {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("header .who"))).getText();
  }

  private void writeAndReadBack(String text) {
    driver.findElement(By.id("note-text")).sendKeys(text);
    wait.until(ExpectedConditions.elementToBeClickable(By.id("save-note"))).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("notes"), text));
    driver.navigate().refresh();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("notes"), text));
  }

  /** Signs out; a copy of the old session cookie no longer opens the notes page. */
  private void signOutAndCheckTheSessionIsGone() throws Exception {
    Cookie session = driver.manage().getCookieNamed(SESSION_COOKIE);
    assertNotNull(session, "the Bulwark session cookie");
    wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("header form[action='/logout'] button"))).click();
    browser.waitForPath("/login");
    driver.get(appBase + "/notes");
    browser.waitForPath("/login");
    HttpResponse<String> replay = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(appBase + "/notes"))
        .header("Cookie", SESSION_COOKIE + "=" + session.getValue()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(303, replay.statusCode());
    assertTrue(replay.headers().firstValue("Location").orElse("").startsWith("/login"), replay.headers().toString());
  }

  /** Keycloak's own session (a cookie of the same host): gone, so its login page shows again. */
  private void forgetKeycloakSession() {
    // A plain JSON page of Keycloak's (no script that could navigate on its own), then every cookie of localhost.
    driver.get(keycloak.realmUrl() + "/.well-known/openid-configuration");
    driver.manage().deleteAllCookies();
  }

  private List<LoggedEvent> loginSuccesses(String protocol) {
    try (var events = app.service().auditLogForTests().query(AuditQuery.ALL)) {
      return events.filter(e -> e.event().action().name().equals("authn_login_success"))
          .filter(e -> protocol.equals(e.event().details().get("protocol"))).toList();
    }
  }

  @Test
  @Order(1)
  void saml_signInThroughKeycloak_writesANote_adminPageAsksForThePasskey_signOutEndsTheSession() throws Exception {
    driver.get(appBase + "/login");
    browser.screenshot("login-with-sso");
    assertTrue(browser.body().contains("Sign in with SSO (SAML)") && browser.body().contains("Sign in with SSO (OIDC)"), browser.body());
    signInThroughKeycloak("kc-saml");
    browser.screenshot("notes-saml");
    samlAccount = shownAccount();
    assertTrue(samlAccount.startsWith(NotesService.SSO_NAME_PREFIX), samlAccount);
    // No authenticator-app set-up is forced on an SSO account: the notes page opens directly.
    writeAndReadBack("Written after a SAML sign-in");

    // The first account of this app is its admin, but a federated sign-in never reaches the admin pages
    // without a phishing-resistant factor: the step-up page, which asks for a passkey.
    driver.get(appBase + "/admin");
    browser.waitForPath("/stepup");
    browser.screenshot("admin-asks-step-up");
    assertTrue(browser.body().contains("Admin pages need a passkey"), browser.body());

    List<LoggedEvent> ok = loginSuccesses("saml2");
    assertEquals(1, ok.size());
    Map<String, String> details = ok.get(0).event().details();
    assertEquals("AAL1", details.get("aal"), details.toString());
    assertEquals("kc-saml", details.get("registration"));

    signOutAndCheckTheSessionIsGone();

    // A second sign-in (Keycloak remembers alice, so no form) finds the same account and its note.
    driver.findElement(By.id("sso-kc-saml")).click();
    browser.waitForPath("/notes");
    assertEquals(samlAccount, shownAccount());
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("notes"), "Written after a SAML sign-in"));
    signOutAndCheckTheSessionIsGone();
    forgetKeycloakSession();
  }

  @Test
  @Order(2)
  void oidc_signInThroughKeycloak_isAnotherAccount_writesANote_adminPageForbidden_signOutEndsTheSession() throws Exception {
    signInThroughKeycloak("kc-oidc");
    browser.screenshot("notes-oidc");
    String oidcAccount = shownAccount();
    assertTrue(oidcAccount.startsWith(NotesService.SSO_NAME_PREFIX), oidcAccount);
    // Keycloak's OIDC subject is its user id, its SAML NameID a persistent pseudonym: two identities, two accounts.
    assertNotEquals(samlAccount, oidcAccount);
    assertFalse(browser.body().contains("Written after a SAML sign-in"), "the SAML account's note is not this account's");
    writeAndReadBack("Written after an OIDC sign-in");

    driver.get(appBase + "/admin");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Not allowed"));
    browser.screenshot("admin-forbidden-oidc");

    List<LoggedEvent> ok = loginSuccesses("oidc");
    assertEquals(1, ok.size());
    assertEquals("AAL1", ok.get(0).event().details().get("aal"));
    driver.get(appBase + "/notes");
    browser.waitForPath("/notes");
    signOutAndCheckTheSessionIsGone();
  }
}
