package dev.bulwark.samples.notes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.AuditQuery;
import dev.bulwark.audit.LoggedEvent;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
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
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
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

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final String REALM = "bulwark-notes";
  private static final String SESSION_COOKIE = "__Host-bulwark-session";

  private LocalKeycloak keycloak;
  private NotesApp app;
  private String appBase;
  private ChromeDriver driver;
  private WebDriverWait wait;
  private int shot;
  private String samlAccount;

  @BeforeAll
  void start() throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM), "Chromium is required at " + CHROMIUM + " (apt-get install chromium)");
    assertTrue(Files.isExecutable(CHROMEDRIVER), "chromedriver is required at " + CHROMEDRIVER
        + " (apt-get install chromium-driver)");
    Path work = Files.createTempDirectory("bulwark-notes-sso-it");
    int appPort = NotesApp.freePort();
    appBase = "http://localhost:" + appPort;
    // The realm a developer imports by hand, its redirect addresses moved to this run's port.
    // Keycloak's SAML metadata asks for signed requests: a key of this run, its certificate registered
    // with the client, which then refuses unsigned (or otherwise signed) requests.
    SpKeys sp = SpKeys.generate(work);
    Files.writeString(work.resolve("sp-key.pem"), sp.privateKeyPem());
    Files.writeString(work.resolve("sp-cert.pem"), sp.certificatePem());
    String realm = Files.readString(Path.of("keycloak", "notes-realm.json"), StandardCharsets.UTF_8)
        .replace("http://localhost:8080", appBase)
        .replace("\"saml.client.signature\": \"false\"",
            "\"saml.client.signature\": \"true\", \"saml.signing.certificate\": \"" + sp.certificateBase64() + "\"");
    assertTrue(realm.contains(sp.certificateBase64()));
    keycloak = LocalKeycloak.start(REALM, realm);
    // The app starts while Keycloak does: its metadata and discovery are read at the first sign-in.
    app = NotesApp.start(NotesApp.Options.defaults().withPort(appPort).withDataDir(work.resolve("data")),
        Clock.systemUTC(), "--spring.profiles.active=sso", "--keycloak.realm-url=" + keycloak.realmUrl(REALM),
        "--bulwark.sso.oidc.kc-oidc.http-timeout=60s",
        "--bulwark.sso.saml.kc-saml.signing-key=file:" + work.resolve("sp-key.pem"),
        "--bulwark.sso.saml.kc-saml.signing-certificate=file:" + work.resolve("sp-cert.pem"));

    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1200,1000", "--user-data-dir=" + work.resolve("chromium").toAbsolutePath());
    driver = new ChromeDriver(service, options);
    wait = new WebDriverWait(driver, Duration.ofSeconds(90));
    Files.createDirectories(SCREENSHOTS);
    keycloak.awaitRealm(REALM);
  }

  @AfterAll
  void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (app != null) {
      app.close();
    }
    if (keycloak != null) {
      keycloak.stop();
    }
  }

  private void screenshot(String name) throws Exception {
    Path file = SCREENSHOTS.resolve(String.format("sso-%02d-%s.png", ++shot, name));
    Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
  }

  private String body() {
    return driver.findElement(By.tagName("body")).getText();
  }

  private void waitForPath(String path) {
    try {
      wait.until(d -> {
        String url = d.getCurrentUrl();
        return url != null && url.startsWith(appBase) && URI.create(url).getPath().equals(path);
      });
    } catch (org.openqa.selenium.TimeoutException e) {
      try {
        screenshot("timeout-" + path.replace('/', '_'));
      } catch (Exception ignored) {
        // the assertion below says where the browser is
      }
      throw new AssertionError("expected " + path + " but the browser shows " + driver.getCurrentUrl() + ":\n" + body(), e);
    }
  }

  /** Clicks the sign-in page's SSO button and signs in on Keycloak's own login page. */
  private void signInThroughKeycloak(String registration) throws Exception {
    driver.get(appBase + "/login");
    wait.until(ExpectedConditions.elementToBeClickable(By.id("sso-" + registration))).click();
    try {
      wait.until(d -> d.getCurrentUrl().startsWith(keycloak.base));
    } catch (org.openqa.selenium.TimeoutException e) {
      screenshot("no-keycloak-" + registration);
      throw new AssertionError("expected Keycloak but the browser shows " + driver.getCurrentUrl() + ":\n" + body(), e);
    }
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys("alice");
    driver.findElement(By.id("password")).sendKeys("alice-correct-horse");
    screenshot("keycloak-login-" + registration);
    driver.findElement(By.id("kc-login")).click();
    waitForPath("/notes");
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
    waitForPath("/login");
    driver.get(appBase + "/notes");
    waitForPath("/login");
    HttpResponse<String> replay = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(appBase + "/notes"))
        .header("Cookie", SESSION_COOKIE + "=" + session.getValue()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(303, replay.statusCode());
    assertTrue(replay.headers().firstValue("Location").orElse("").startsWith("/login"), replay.headers().toString());
  }

  /** Keycloak's own session (a cookie of the same host): gone, so its login page shows again. */
  private void forgetKeycloakSession() {
    // A plain JSON page of Keycloak's (no script that could navigate on its own), then every cookie of localhost.
    driver.get(keycloak.realmUrl(REALM) + "/.well-known/openid-configuration");
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
    screenshot("login-with-sso");
    assertTrue(body().contains("Sign in with SSO (SAML)") && body().contains("Sign in with SSO (OIDC)"), body());
    signInThroughKeycloak("kc-saml");
    screenshot("notes-saml");
    samlAccount = shownAccount();
    assertTrue(samlAccount.startsWith(NotesService.SSO_NAME_PREFIX), samlAccount);
    // No authenticator-app set-up is forced on an SSO account: the notes page opens directly.
    writeAndReadBack("Written after a SAML sign-in");

    // The first account of this app is its admin, but a federated sign-in never reaches the admin pages
    // without a phishing-resistant factor: the step-up page, which asks for a passkey.
    driver.get(appBase + "/admin");
    waitForPath("/stepup");
    screenshot("admin-asks-step-up");
    assertTrue(body().contains("Admin pages need a passkey"), body());

    List<LoggedEvent> ok = loginSuccesses("saml2");
    assertEquals(1, ok.size());
    Map<String, String> details = ok.get(0).event().details();
    assertEquals("AAL1", details.get("aal"), details.toString());
    assertEquals("kc-saml", details.get("registration"));

    signOutAndCheckTheSessionIsGone();

    // A second sign-in (Keycloak remembers alice, so no form) finds the same account and its note.
    driver.findElement(By.id("sso-kc-saml")).click();
    waitForPath("/notes");
    assertEquals(samlAccount, shownAccount());
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("notes"), "Written after a SAML sign-in"));
    signOutAndCheckTheSessionIsGone();
    forgetKeycloakSession();
  }

  @Test
  @Order(2)
  void oidc_signInThroughKeycloak_isAnotherAccount_writesANote_adminPageForbidden_signOutEndsTheSession() throws Exception {
    signInThroughKeycloak("kc-oidc");
    screenshot("notes-oidc");
    String oidcAccount = shownAccount();
    assertTrue(oidcAccount.startsWith(NotesService.SSO_NAME_PREFIX), oidcAccount);
    // Keycloak's OIDC subject is its user id, its SAML NameID a persistent pseudonym: two identities, two accounts.
    assertNotEquals(samlAccount, oidcAccount);
    assertFalse(body().contains("Written after a SAML sign-in"), "the SAML account's note is not this account's");
    writeAndReadBack("Written after an OIDC sign-in");

    driver.get(appBase + "/admin");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Not allowed"));
    screenshot("admin-forbidden-oidc");

    List<LoggedEvent> ok = loginSuccesses("oidc");
    assertEquals(1, ok.size());
    assertEquals("AAL1", ok.get(0).event().details().get("aal"));
    driver.get(appBase + "/notes");
    waitForPath("/notes");
    signOutAndCheckTheSessionIsGone();
  }
}
