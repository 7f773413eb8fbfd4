package dev.bulwark.spring.sso.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditQuery;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.testing.browser.HeadlessChromium;
import dev.bulwark.testing.keycloak.LocalKeycloak;
import dev.bulwark.testing.keycloak.SpKeys;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * "Sign in with SSO" as a person does it: headless Chromium clicks the button of a Spring Boot
 * application configured only by {@code bulwark.sso.*} properties, types the password into
 * Keycloak's real login page, lands signed in (the protected page shows the local account and
 * the assurance level), and signs out through the identity provider again, for SAML 2.0 and for
 * OIDC. A SAML response Keycloak signed but someone altered on its way, and the genuine one
 * posted a second time, are refused with the generic page; every outcome is in the audit log
 * with its reason.
 *
 * <p>Needs {@code /usr/bin/chromium}, {@code /usr/bin/chromedriver} (Debian's chromium and
 * chromium-driver; Selenium Manager is never used) and a Java 21+ runtime for Keycloak.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeycloakSsoBrowserIT {

  static final String REALM = "bulwark-spring";

  private LocalKeycloak keycloak;
  private ConfigurableApplicationContext app;
  private String appBase;
  private HeadlessChromium browser;
  private ChromeDriver driver;
  private WebDriverWait wait;
  private SsoTestApp.InFlight inFlight;
  private AuditLog audit;

  @BeforeAll
  void start() throws Exception {
    HeadlessChromium.requireInstalled();
    Path work = Files.createTempDirectory("bulwark-sso-it");
    SpKeys sp = SpKeys.generate(work, "bulwark-spring-sp");
    int appPort = LocalKeycloak.freePort();
    appBase = "http://127.0.0.1:" + appPort;
    String realm;
    try (var in = KeycloakSsoBrowserIT.class.getResourceAsStream("/keycloak/bulwark-spring-realm.json")) {
      realm = new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("@APP@", appBase).replace("@SP_CERT@", sp.certificateBase64());
    }
    keycloak = LocalKeycloak.start(REALM, realm);
    Files.writeString(work.resolve("sp-key.pem"), sp.privateKeyPem());
    // The application starts while Keycloak does: the IdP metadata and discovery are read at the first sign-in.
    java.util.Map<String, Object> props = new java.util.LinkedHashMap<>();
    props.put("server.port", appPort);
    props.put("server.address", "127.0.0.1");
    props.put("bulwark.sso.base-url", appBase);
    props.put("bulwark.sso.logout-success-url", "/login");
    props.put("bulwark.sso.saml.kc-saml.label", "Sign in with SSO (SAML)");
    props.put("bulwark.sso.saml.kc-saml.idp-metadata", keycloak.realmUrl() + "/protocol/saml/descriptor");
    props.put("bulwark.sso.saml.kc-saml.entity-id", "bulwark-spring-saml");
    props.put("bulwark.sso.saml.kc-saml.signing-key", "file:" + work.resolve("sp-key.pem"));
    props.put("bulwark.sso.saml.kc-saml.signing-certificate", sp.certificatePem());
    props.put("bulwark.sso.saml.kc-saml.assurance[urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified]", "AAL1");
    props.put("bulwark.sso.oidc.kc-oidc.label", "Sign in with SSO (OIDC)");
    props.put("bulwark.sso.oidc.kc-oidc.issuer", keycloak.realmUrl());
    props.put("bulwark.sso.oidc.kc-oidc.client-id", "bulwark-spring-oidc");
    props.put("bulwark.sso.oidc.kc-oidc.client-secret", "bulwark-spring-oidc-secret");
    props.put("bulwark.sso.oidc.kc-oidc.http-timeout", "60s");
    app = new SpringApplicationBuilder(SsoTestApp.class).profiles("dev").properties(props).run();
    inFlight = app.getBean(SsoTestApp.InFlight.class);
    audit = app.getBean(AuditLog.class);

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

  private String text(String id) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(id))).getText();
  }

  /** Clicks the application's SSO button and signs in on Keycloak's own login page. */
  private void signInThroughKeycloak(String registration) throws Exception {
    driver.get(appBase + "/me");
    wait.until(d -> d.getCurrentUrl().startsWith(appBase + "/login") || d.getCurrentUrl().startsWith(appBase + "/me"));
    if (driver.getCurrentUrl().startsWith(appBase + "/me")) {
      // A previous test left the browser signed in: sign out first.
      driver.findElement(By.id("logout")).click();
      browser.waitForPath("/login");
    }
    wait.until(ExpectedConditions.elementToBeClickable(By.id("sso-" + registration))).click();
    browser.signInOnKeycloak(keycloak.base(), "alice", "alice-correct-horse", registration);
  }

  private List<LoggedEvent> events(String action) {
    return audit.query(AuditQuery.ALL).filter(e -> e.event().action().name().equals(action)).toList();
  }

  @Test
  @Order(1)
  void saml_signInThroughKeycloaksLoginPage_thenSignOutEndsTheIdpSessionToo() throws Exception {
    signInThroughKeycloak("kc-saml");
    browser.waitForPath("/me");
    browser.screenshot("signed-in-saml");
    assertThat(text("email")).isEqualTo("alice@example.com");
    assertThat(text("level")).isEqualTo("AAL1");
    assertThat(text("factors")).isEqualTo("FEDERATED");
    assertThat(text("roles")).isEqualTo("[ROLE_user]");
    // The Bulwark session's token is in its cookie (BulwarkSecurityContextRepository).
    assertThat(driver.manage().getCookieNamed("__Host-bulwark-session")).isNotNull();
    assertThat(text("account")).startsWith("acct-");

    driver.findElement(By.id("logout")).click();
    browser.waitForPath("/login");
    driver.get(appBase + "/me");
    browser.waitForPath("/login");
    // Keycloak's session ended too: the next sign-in shows its login form again.
    driver.findElement(By.id("sso-kc-saml")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    browser.screenshot("keycloak-asks-again");
    assertThat(events("authn_login_success")).anySatisfy(e -> {
      assertThat(e.event().details()).containsEntry("protocol", "saml2").containsEntry("registration", "kc-saml")
          .containsEntry("idp_subject", "alice@example.com");
    });
  }

  @Test
  @Order(2)
  void oidc_signInThroughKeycloaksLoginPage_thenSignOutEndsTheIdpSessionToo() throws Exception {
    signInThroughKeycloak("kc-oidc");
    browser.waitForPath("/me");
    browser.screenshot("signed-in-oidc");
    assertThat(text("email")).isEqualTo("alice@example.com");
    assertThat(text("level")).isEqualTo("AAL1");
    assertThat(text("factors")).isEqualTo("FEDERATED");

    driver.findElement(By.id("logout")).click();
    browser.waitForPath("/login");
    driver.get(appBase + "/me");
    browser.waitForPath("/login");
    driver.findElement(By.id("sso-kc-oidc")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    assertThat(events("authn_login_success")).anySatisfy(e ->
        assertThat(e.event().details()).containsEntry("protocol", "oidc").containsEntry("registration", "kc-oidc"));
  }

  @Test
  @Order(3)
  void saml_aResponseKeycloakSignedButSomeoneAlteredOnItsWay_isRefusedWithTheGenericPage() throws Exception {
    int before = events("authn_login_fail").size();
    inFlight.tamper = true;
    try {
      signInThroughKeycloak("kc-saml");
      browser.waitForPath("/sso/kc-saml/acs");
    } finally {
      inFlight.tamper = false;
    }
    browser.screenshot("tampered-refused");
    String page = driver.findElement(By.tagName("body")).getText();
    assertThat(page).contains("Sign-in failed").doesNotContain("Exception").doesNotContain("SIGNATURE");
    driver.get(appBase + "/me");
    browser.waitForPath("/login");
    List<LoggedEvent> fails = events("authn_login_fail");
    assertThat(fails).hasSizeGreaterThan(before);
    assertThat(fails.get(fails.size() - 1).event().reason()).isEqualTo("SIGNATURE_INVALID");
  }

  @Test
  @Order(4)
  void saml_theGenuineResponsePostedASecondTime_isRefused_andEveryRefusalLooksTheSame() throws Exception {
    // Keycloak's session from the previous test signs the browser in without its form.
    driver.get(appBase + "/login");
    driver.findElement(By.id("sso-kc-saml")).click();
    browser.waitForPath("/me");
    String captured = inFlight.lastResponse;
    String cookies = inFlight.lastCookies;
    assertThat(captured).isNotNull();
    assertThat(cookies).contains("bulwark_sso_state=");

    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<String> replayed = http.send(HttpRequest.newBuilder(URI.create(appBase + "/sso/kc-saml/acs"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", cookies)
        .POST(HttpRequest.BodyPublishers.ofString("SAMLResponse=" + URLEncoder.encode(captured, StandardCharsets.UTF_8)))
        .build(), HttpResponse.BodyHandlers.ofString());
    List<LoggedEvent> fails = events("authn_login_fail");
    assertThat(fails.get(fails.size() - 1).event().reason()).isEqualTo("REPLAYED");

    HttpResponse<String> noState = http.send(HttpRequest.newBuilder(URI.create(appBase + "/sso/kc-saml/acs"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("SAMLResponse=" + URLEncoder.encode(captured, StandardCharsets.UTF_8)))
        .build(), HttpResponse.BodyHandlers.ofString());
    fails = events("authn_login_fail");
    assertThat(fails.get(fails.size() - 1).event().reason()).isEqualTo("STATE_INVALID");
    assertThat(replayed.statusCode()).isEqualTo(401).isEqualTo(noState.statusCode());
    assertThat(replayed.body()).isEqualTo(noState.body()).contains("Sign-in failed");
    driver.findElement(By.id("logout")).click();
    browser.waitForPath("/login");
  }
}
