package dev.bulwark.samples.notes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.browser.HeadlessChromium;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * End to end in headless Chromium: registration, TOTP enrolment (the code computed from the
 * secret the page shows), passkey registration and login with Chromium's virtual authenticator,
 * lockout, password + TOTP login, note create/delete/restore, the admin step-up and audit
 * verification, a flipped byte in the stored log that the admin page reports, then removing and
 * adding a passkey, each after a fresh confirmation (passkey, then password and code).
 *
 * <p>Needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} (Debian's chromium and
 * chromium-driver); fails when they are missing. Selenium Manager is never used.
 */
class NotesBrowserIT {

  private static final String PASSWORD = "correct horse battery staple";

  @TempDir
  Path data;
  @TempDir
  Path profile;

  private FakeClock clock;
  private NotesApp app;
  private HeadlessChromium browser;
  private ChromeDriver driver;
  private WebDriverWait wait;

  @BeforeEach
  void start() throws Exception {
    HeadlessChromium.requireInstalled();
    clock = FakeClock.at(Instant.parse("2026-11-22T10:00:00Z"));
    app = NotesApp.start(NotesApp.Options.defaults().withPort(0).withDataDir(data), clock);
    browser = HeadlessChromium.start(app.baseUri().toString(), profile, "");
    driver = browser.driver();
    wait = browser.waiter();
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (app != null) {
      app.close();
    }
  }

  private void open(String path) {
    driver.get(app.baseUri().resolve(path).toString());
  }

  private void type(String id, String text) {
    WebElement e = driver.findElement(By.id(id));
    e.clear();
    e.sendKeys(text);
  }

  private void click(By by) {
    wait.until(ExpectedConditions.elementToBeClickable(by)).click();
  }

  private String text(By by) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(by)).getText();
  }

  private void signOut() {
    click(By.cssSelector("header form[action='/logout'] button"));
    browser.waitForPath("/login");
  }

  @Test
  void aPersonUsesEveryFeature_andTheAdminPageCatchesATamperedLog() throws Exception {
    VirtualAuthenticator authenticator = driver.addVirtualAuthenticator(new VirtualAuthenticatorOptions()
        .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
        .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
        .setHasResidentKey(true)
        .setHasUserVerification(true)
        .setIsUserVerified(true)
        .setIsUserConsenting(true));

    // Registration.
    open("/");
    browser.screenshot("home");
    click(By.linkText("Create an account"));
    type("username", "alice");
    type("password", PASSWORD);
    type("confirm", PASSWORD);
    browser.screenshot("register");
    click(By.id("register"));

    // TOTP enrolment: the QR code is a real image; the code comes from the secret shown.
    browser.waitForPath("/enroll/totp");
    Object qrWidth = ((JavascriptExecutor) driver).executeScript(
        "return document.getElementById('totp-qr').naturalWidth;");
    assertEquals(240L, ((Number) qrWidth).longValue(), "the QR code PNG renders");
    String secret = text(By.id("totp-secret"));
    browser.screenshot("totp");
    type("code", Fixtures.totp(secret, clock.instant()));
    click(By.id("confirm-totp"));

    // Passkey registration with the virtual authenticator.
    browser.waitForPath("/enroll/passkey");
    browser.screenshot("passkey");
    click(By.id("register-passkey"));
    browser.waitForPath("/notes");
    assertTrue(text(By.id("flash")).contains("Passkey registered"));
    assertEquals(1, authenticator.getCredentials().size(), "a resident credential was created");
    signOut();

    // Lockout: an identifier is locked after repeated wrong passwords (unknown ones too).
    String message = "";
    for (int i = 1; i <= 6; i++) {
      type("username", "mallory");
      type("password", "guess number " + i);
      click(By.id("signin"));
      message = text(By.id("error"));
      if (i < 6) {
        assertFalse(message.contains("locked"), "attempt " + i + ": " + message);
      }
    }
    assertTrue(message.contains("locked for 1 minute"), message);
    browser.screenshot("lockout");

    // Password + TOTP login (next TOTP step: the enrolment code cannot be replayed).
    clock.advance(Duration.ofSeconds(30));
    type("username", "alice");
    type("password", PASSWORD);
    type("code", Fixtures.totp(secret, clock.instant()));
    browser.screenshot("login");
    click(By.id("signin"));
    browser.waitForPath("/notes");

    // Notes: create, delete (soft), restore.
    type("note-text", "Meet Bob at 10:00 <not a tag>");
    click(By.id("save-note"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("notes"), "Meet Bob at 10:00 <not a tag>"));
    click(By.cssSelector("#notes button.delete"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("trash"), "Meet Bob at 10:00"));
    assertTrue(text(By.id("trash")).contains("purged after"));
    browser.screenshot("notes-trash");
    click(By.cssSelector("#trash button.restore"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "Note restored"));
    assertTrue(text(By.id("notes")).contains("Meet Bob at 10:00"));
    assertTrue(text(By.id("trash")).contains("The trash is empty"));
    browser.screenshot("notes");

    // Admin: password + TOTP is not phishing-resistant: step up with the passkey.
    open("/admin");
    browser.waitForPath("/stepup");
    browser.screenshot("stepup");
    click(By.id("stepup"));
    browser.waitForPath("/admin");
    assertEquals("INTACT", text(By.id("audit-status")));
    String events = text(By.id("events"));
    for (String action : List.of("user_created", "authn_mfa_enrolled", "authn_webauthn_registered", "authn_login_fail",
        "authn_login_success", "sensitive_create", "lifecycle_soft_deleted", "lifecycle_restored")) {
      assertTrue(events.contains(action), "the audit log shows " + action);
    }
    browser.screenshot("admin-intact");
    signOut();

    // Passkey login (username-less): straight to the admin page, no step-up needed.
    click(By.id("passkey-login"));
    browser.waitForPath("/notes");
    open("/admin");
    browser.waitForPath("/admin");
    assertEquals("INTACT", text(By.id("audit-status")));

    // Tamper with the stored log: the page reports it.
    Fixtures.tamperAuditLog(app.auditDirectory().orElseThrow());
    driver.navigate().refresh();
    assertEquals("NOT INTACT", text(By.id("audit-status")));
    assertTrue(text(By.id("findings")).contains("ERROR"), "an ERROR finding is listed");
    browser.screenshot("admin-tampered");
    assertFalse(driver.getPageSource().contains("Exception"), "no stack trace on the page");

    // Changing sign-in methods needs a fresh confirmation: a session signed in more than five
    // minutes ago (a stolen cookie, say) cannot remove or add a passkey on its own.
    open("/account");
    assertEquals(1, driver.findElements(By.cssSelector("li.passkey")).size(), "the passkey is listed");
    clock.advance(Duration.ofMinutes(6));
    click(By.cssSelector("li.passkey button.remove-passkey"));
    browser.waitForPath("/reauth");
    browser.screenshot("reauth");
    click(By.id("reauth-passkey"));
    browser.waitForPath("/account");
    assertTrue(text(By.id("flash")).contains("confirmed"));
    click(By.cssSelector("li.passkey button.remove-passkey"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "Passkey removed"));
    assertTrue(driver.findElements(By.cssSelector("li.passkey")).isEmpty(), "no passkey left");
    browser.screenshot("passkey-removed");

    clock.advance(Duration.ofMinutes(6));
    click(By.id("add-passkey"));
    browser.waitForPath("/reauth");
    assertTrue(driver.findElements(By.id("reauth-passkey")).isEmpty(), "no passkey to confirm with any more");
    type("reauth-password", PASSWORD);
    type("reauth-code", Fixtures.totp(secret, clock.instant()));
    click(By.id("reauth"));
    browser.waitForPath("/enroll/passkey");
    click(By.id("register-passkey"));
    browser.waitForPath("/notes");
    assertTrue(text(By.id("flash")).contains("Passkey registered"));
    open("/account");
    assertEquals(1, driver.findElements(By.cssSelector("li.passkey")).size());
    assertFalse(driver.getPageSource().contains("Exception"), "no stack trace on the page");

    // Organizations: an account of another organization cannot edit, share or delete alice's note,
    // even with its id in a hand-made request from its own signed-in page.
    open("/notes");
    String aliceNote = driver.findElement(By.cssSelector("#notes article.note")).getAttribute("data-note-id");
    signOut();
    open("/register");
    type("username", "oscar");
    type("password", PASSWORD);
    type("confirm", PASSWORD);
    click(By.id("register"));
    browser.waitForPath("/enroll/totp");
    type("code", Fixtures.totp(text(By.id("totp-secret")), clock.instant()));
    click(By.id("confirm-totp"));
    browser.waitForPath("/enroll/passkey");
    click(By.id("skip-passkey"));
    browser.waitForPath("/notes");
    assertTrue(text(By.id("shared")).contains("Nothing is shared with you"));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    for (String[] attempt : List.of(new String[] {"/notes/edit", "text", "defaced"},
        new String[] {"/notes/share", "username", "oscar"}, new String[] {"/notes/delete", "text", ""})) {
      Object status = ((JavascriptExecutor) driver).executeAsyncScript(
          "var done = arguments[arguments.length - 1];"
              + "var body = new URLSearchParams({csrf: document.querySelector('meta[name=csrf]').content,"
              + " id: arguments[1], role: 'editor'}); body.set(arguments[2], arguments[3]);"
              + "fetch(arguments[0], {method: 'POST', body: body}).then(function (r) { done(r.status); },"
              + " function () { done(-1); });", attempt[0], aliceNote, attempt[1], attempt[2]);
      assertEquals(400L, ((Number) status).longValue(), attempt[0] + " with another organization's note is refused");
    }
    driver.navigate().refresh();
    assertTrue(text(By.id("shared")).contains("Nothing is shared with you"));
    AppStore.User alice = app.service().userByNameForTests("alice").orElseThrow();
    assertEquals("Meet Bob at 10:00 <not a tag>", app.service().readNote(alice, aliceNote).text(), "the note is unchanged");
    browser.screenshot("other-organization");
  }
}
