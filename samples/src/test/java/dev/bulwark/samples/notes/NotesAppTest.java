package dev.bulwark.samples.notes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.AuditQuery;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.VerificationReport;
import dev.bulwark.testing.FakeClock;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the running app over HTTP (JDK HttpClient, no browser) on a free port. */
class NotesAppTest {

  private static final String PASSWORD = "correct horse battery staple";

  @TempDir
  Path data;

  private FakeClock clock;
  private NotesApp app;

  @BeforeEach
  void start() throws Exception {
    clock = FakeClock.at(Instant.parse("2026-11-22T10:00:00Z"));
    app = NotesApp.start(options(data), clock);
  }

  /** The app's options: embedded defaults here; {@code NotesAppPostgresIT} runs on PostgreSQL. */
  NotesApp.Options options(Path dataDir) throws Exception {
    return NotesApp.Options.defaults().withPort(0).withDataDir(dataDir);
  }

  /**
   * Whether the rate limiters run on the test's clock (in memory). On PostgreSQL they decide on the
   * database's clock, which keeps moving while a test runs.
   */
  boolean rateLimitsOnTestClock() {
    return true;
  }

  /**
   * The most a GCRA limiter with {@code burst} and {@code limit} per {@code window} may admit from
   * a frozen start over {@code elapsedNanos} of real time: the burst exactly on the test's clock.
   */
  long rateLimitCeiling(long burst, long limit, Duration window, long elapsedNanos) {
    if (rateLimitsOnTestClock()) {
      return burst;
    }
    return burst + elapsedNanos / (window.toNanos() / limit) + 1;
  }

  URI baseUri() {
    return app.baseUri();
  }

  NotesService service() {
    return app.service();
  }

  /** The test clock's time. */
  Instant now() {
    return clock.instant();
  }

  void advance(Duration d) {
    clock.advance(d);
  }

  /** Changes one stored audit event behind the app's back: a byte of a segment file here. */
  void tamperAuditLog() throws Exception {
    Fixtures.tamperAuditLog(app.auditDirectory().orElseThrow());
  }

  @AfterEach
  void stop() {
    closeApp();
  }

  /** Stops the app (once). */
  void closeApp() {
    if (app != null) {
      app.close();
      app = null;
    }
  }

  /**
   * Cookies as a browser keeps them for {@code http://localhost}: a secure context, so the
   * {@code Secure} session cookie ({@code __Host-bulwark-session}) is kept and sent back (the
   * JDK's CookieManager sends {@code Secure} cookies over https only).
   */
  static final class LocalhostCookies extends java.net.CookieHandler {
    private final CookieManager cookies = new CookieManager();

    private static URI secure(URI uri) {
      return "localhost".equals(uri.getHost()) && "http".equals(uri.getScheme())
          ? URI.create("https" + uri.toString().substring(4)) : uri;
    }

    @Override
    public Map<String, List<String>> get(URI uri, Map<String, List<String>> headers) throws IOException {
      return cookies.get(secure(uri), headers);
    }

    @Override
    public void put(URI uri, Map<String, List<String>> headers) throws IOException {
      cookies.put(secure(uri), headers);
    }
  }

  /** A cookie-keeping client that does not follow redirects. */
  private final class Client {
    final HttpClient http = HttpClient.newBuilder().cookieHandler(new LocalhostCookies())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    String csrf = "";

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(app.baseUri().resolve(path)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      Matcher m = Pattern.compile("<meta name=\"csrf\" content=\"([^\"]+)\">").matcher(r.body());
      if (m.find()) {
        csrf = m.group(1);
      }
      return r;
    }

    /**
     * A call of the starter's WebAuthn endpoints ({@code /bulwark/webauthn/...}); with a ceremony
     * id, {@code body} is the browser's credential and is sent as {@code {"ceremonyId", "credential"}}.
     */
    HttpResponse<String> json(String path, String ceremony, String body) throws IOException, InterruptedException {
      String payload = ceremony == null ? body : "{\"ceremonyId\":\"" + ceremony + "\",\"credential\":" + body + "}";
      HttpRequest.Builder b = HttpRequest.newBuilder(app.baseUri().resolve("/bulwark/webauthn" + path))
          .header("Content-Type", "application/json").header("X-CSRF-Token", csrf)
          .POST(HttpRequest.BodyPublishers.ofString(payload));
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String... kv) throws IOException, InterruptedException {
      Map<String, String> form = new LinkedHashMap<>();
      form.put("csrf", csrf);
      for (int i = 0; i < kv.length; i += 2) {
        form.put(kv[i], kv[i + 1]);
      }
      String body = form.entrySet().stream()
          .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
          .collect(Collectors.joining("&"));
      return http.send(HttpRequest.newBuilder(app.baseUri().resolve(path))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  /** {@code page} without the values of its CSRF fields (masked differently in each response). */
  static String withoutCsrf(String page) {
    return page.replaceAll("(name=\"csrf\" (?:content|value)=\")[^\"]*\"", "$1\"");
  }

  private static String find(String regex, String body) {
    Matcher m = Pattern.compile(regex).matcher(body);
    assertTrue(m.find(), () -> "no match for " + regex + " in\n" + body);
    return m.group(1);
  }

  /** Registers {@code name} and enrols TOTP; returns the TOTP secret. */
  private String registerWithTotp(Client c, String name) throws Exception {
    c.get("/register");
    HttpResponse<String> reg = c.post("/register", "username", name, "password", PASSWORD, "confirm", PASSWORD);
    assertEquals(303, reg.statusCode(), reg.body());
    assertEquals("/enroll/totp", reg.headers().firstValue("Location").orElseThrow());
    String page = c.get("/enroll/totp").body();
    assertTrue(page.contains("data:image/png;base64,"), "the QR code is shown");
    String secret = find("id=\"totp-secret\">([A-Z2-7]+)<", page);
    HttpResponse<String> bad = c.post("/enroll/totp", "code", "12");
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("Enter the 6 digits"));
    HttpResponse<String> ok = c.post("/enroll/totp", "code", Fixtures.totp(secret, clock.instant()));
    assertEquals(303, ok.statusCode(), ok.body());
    assertTrue(ok.headers().firstValue("Location").orElseThrow().startsWith("/enroll/passkey"));
    return secret;
  }

  @Test
  void register_enrolTotp_login_notesLifecycle_andAdminNeedsPasskey() throws Exception {
    Client c = new Client();
    assertTrue(c.get("/").body().contains("Create an account"));
    String secret = registerWithTotp(c, "alice");
    assertEquals(303, c.post("/logout").statusCode());
    assertEquals(303, c.get("/notes").statusCode(), "signed out: the notes need a session");

    clock.advance(Duration.ofSeconds(30)); // the enrolment code may not be replayed: next step
    c.get("/login"); // signing out also retired the CSRF token: the sign-in page brings a new one
    HttpResponse<String> noCode = c.post("/login", "username", "alice", "password", PASSWORD, "code", "");
    assertEquals(400, noCode.statusCode());
    assertTrue(noCode.body().contains("Wrong username, password or code."), "one step: no hint that the password was right");
    HttpResponse<String> login = c.post("/login", "username", "alice", "password", PASSWORD,
        "code", Fixtures.totp(secret, clock.instant()));
    assertEquals(303, login.statusCode(), login.body());
    assertEquals("/notes", login.headers().firstValue("Location").orElseThrow());
    String cookie = login.headers().allValues("Set-Cookie").stream().filter(v -> v.startsWith("__Host-bulwark-session="))
        .findFirst().orElseThrow();
    assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);

    c.get("/notes");
    assertEquals(303, c.post("/notes", "text", "Buy <milk> & eggs").statusCode());
    String notes = c.get("/notes").body();
    assertTrue(notes.contains("Buy &lt;milk&gt; &amp; eggs"), "the note is shown, escaped");
    String id = find("data-note-id=\"([0-9a-f-]{36})\"", notes);

    assertEquals(303, c.post("/notes/delete", "id", id).statusCode());
    String afterDelete = c.get("/notes").body();
    String trash = afterDelete.substring(afterDelete.indexOf("id=\"trash\""));
    assertTrue(trash.contains(id) && trash.contains("purged after 2026-12-22"), trash);

    assertEquals(303, c.post("/notes/restore", "id", id).statusCode());
    String restored = c.get("/notes").body();
    assertTrue(restored.substring(restored.indexOf("id=\"notes\""), restored.indexOf("id=\"trash\"")).contains(id));

    HttpResponse<String> admin = c.get("/admin");
    assertEquals(303, admin.statusCode());
    assertEquals("/stepup", admin.headers().firstValue("Location").orElseThrow(), "password+TOTP is not enough for admin");
    assertTrue(c.get("/stepup").body().contains("Admin pages need a passkey"));
  }

  @Test
  void postWithoutCsrfToken_isRefused() throws Exception {
    Client c = new Client();
    c.get("/register");
    c.csrf = "wrong";
    HttpResponse<String> r = c.post("/register", "username", "mallory", "password", PASSWORD, "confirm", PASSWORD);
    assertEquals(403, r.statusCode());
    assertTrue(r.body().contains("This form has expired"));
  }

  @Test
  void badInput_getsClearMessages_neverAStackTrace() throws Exception {
    Client c = new Client();
    c.get("/register");
    assertTrue(c.post("/register", "username", "a", "password", PASSWORD, "confirm", PASSWORD).body()
        .contains("Usernames are 3 to 64 characters"));
    assertTrue(c.post("/register", "username", "bob", "password", PASSWORD, "confirm", "other").body()
        .contains("do not match"));
    assertTrue(c.post("/register", "username", "bob", "password", "short", "confirm", "short").body()
        .contains("too short"));
    HttpResponse<String> missing = c.get("/no/such/page");
    assertEquals(404, missing.statusCode());
    assertFalse(missing.body().contains("Exception"));
    HttpResponse<String> malformed = c.post("/login", "username", "%zz", "password", "x");
    assertFalse(malformed.body().contains("at dev.bulwark"));
  }

  @Test
  void repeatedWrongPasswords_lockTheAccount() throws Exception {
    Client c = new Client();
    String secret = registerWithTotp(c, "carol");
    c.post("/logout");
    c.get("/login");
    for (int i = 1; i <= 5; i++) {
      HttpResponse<String> r = c.post("/login", "username", "carol", "password", "wrong password " + i, "code", "");
      assertEquals(400, r.statusCode());
      assertTrue(r.body().contains("Wrong username, password or code."));
      assertFalse(r.body().contains("locked"), "attempt " + i + " is still free");
    }
    HttpResponse<String> sixth = c.post("/login", "username", "carol", "password", "wrong again", "code", "");
    assertTrue(sixth.body().contains("locked for 1 minute"), sixth.body());
    assertEquals("60", sixth.headers().firstValue("Retry-After").orElse(""), "the lock's wait in whole seconds");
    clock.advance(Duration.ofSeconds(30));
    HttpResponse<String> right = c.post("/login", "username", "carol", "password", PASSWORD,
        "code", Fixtures.totp(secret, clock.instant()));
    assertEquals(400, right.statusCode(), "even the right password waits out the lock");
    assertTrue(right.body().contains("locked"));
  }

  @Test
  void auditVerifier_reportsIntact_thenTheTamperedSegment() throws Exception {
    Client c = new Client();
    registerWithTotp(c, "dave");
    VerificationReport intact = app.service().verify();
    assertTrue(intact.intact(), intact.summary());
    assertTrue(intact.eventsChecked() >= 4, intact.summary());

    tamperAuditLog();
    VerificationReport tampered = app.service().verify();
    assertFalse(tampered.intact(), tampered.summary());
    assertFalse(tampered.findings().isEmpty());
  }

  @Test
  void passkeyStepUp_opensTheAdminPage_whichReportsIntactThenTampered() throws Exception {
    Client c = new Client();
    registerWithTotp(c, "erin");
    SoftAuthenticator key = new SoftAuthenticator(app.baseUri().toString().replaceAll("/$", ""));
    c.get("/enroll/passkey");
    String start = c.json("/register/options", null, "{}").body();
    HttpResponse<String> reg = c.json("/register/finish", find("\"ceremonyId\":\"([^\"]+)\"", start),
        key.register(start));
    assertEquals(200, reg.statusCode(), reg.body());

    assertEquals("/stepup", c.get("/admin").headers().firstValue("Location").orElseThrow());
    c.get("/stepup");
    String step = c.json("/authenticate/options", null, "{}").body();
    HttpResponse<String> stepped = c.json("/authenticate/finish", find("\"ceremonyId\":\"([^\"]+)\"", step),
        key.assertion(step));
    assertEquals(200, stepped.statusCode(), stepped.body());
    assertTrue(stepped.body().contains("\"stepUp\":true"), stepped.body());

    HttpResponse<String> admin = c.get("/admin");
    assertEquals(200, admin.statusCode(), admin.body());
    assertTrue(admin.body().contains("id=\"audit-status\" class=\"status ok\">INTACT<"), admin.body());
    assertTrue(admin.body().contains("authn_webauthn_registered"));

    tamperAuditLog();
    String tampered = c.get("/admin").body();
    assertTrue(tampered.contains("class=\"status bad\">NOT INTACT<"), tampered);
    assertTrue(tampered.contains("id=\"findings\""));

    // A replayed assertion is refused with a typed answer, not an error page.
    HttpResponse<String> replay = c.json("/authenticate/finish", find("\"ceremonyId\":\"([^\"]+)\"", step),
        key.assertion(step));
    assertEquals(401, replay.statusCode());
    assertTrue(replay.body().contains("\"error\":\"authentication_failed\""), replay.body());
  }

  private List<String> auditActions() {
    try (var events = app.service().auditLogForTests().query(AuditQuery.ALL)) {
      return events.map(LoggedEvent::event).map(e -> e.action().name()).toList();
    }
  }

  private static String location(HttpResponse<String> r) {
    return r.headers().firstValue("Location").orElse("");
  }

  /** Registers a passkey with {@code key} through the JSON endpoints; returns the finish response. */
  private HttpResponse<String> registerPasskey(Client c, SoftAuthenticator key) throws Exception {
    HttpResponse<String> start = c.json("/register/options", null, "{}");
    if (start.statusCode() != 200) {
      return start;
    }
    return c.json("/register/finish", find("\"ceremonyId\":\"([^\"]+)\"", start.body()),
        key.register(start.body()));
  }

  @Test
  void staleSession_cannotAddAPasskey_changeThePassword_orDeleteTheAccount_untilItConfirmsAFactor() throws Exception {
    Client c = new Client();
    String secret = registerWithTotp(c, "frank");
    clock.advance(Duration.ofMinutes(6)); // the sign-in is older than 5 minutes: a stolen cookie, say
    SoftAuthenticator attacker = new SoftAuthenticator(app.baseUri().toString().replaceAll("/$", ""));
    c.get("/account");

    HttpResponse<String> start = c.json("/register/options", null, "{}");
    assertEquals(403, start.statusCode(), start.body());
    assertTrue(start.body().contains("\"error\":\"step_up_required\""), start.body());
    assertEquals("/reauth?next=/enroll/passkey", location(c.get("/enroll/passkey")));
    HttpResponse<String> password = c.post("/account/password", "password", "a brand new passphrase",
        "confirm", "a brand new passphrase");
    assertEquals("/reauth?next=/account", location(password));
    assertEquals("/reauth?next=/account", location(c.post("/account/delete", "confirm", "frank")));
    AppStore.User frank = app.service().userByNameForTests("frank").orElseThrow(() -> new AssertionError("not deleted"));
    assertTrue(app.service().passkeysOf(frank).isEmpty(), "no passkey was registered");
    assertEquals(1, app.service().passwordHashesComputed(), "the password was not changed");
    assertTrue(auditActions().contains("authz_stepup_required"), "the refusals are audit events");

    // The owner confirms with password + code: for five minutes the changes are allowed.
    String page = c.get("/reauth?next=/enroll/passkey").body();
    assertTrue(page.contains("id=\"reauth-password\""), page);
    assertEquals(400, c.post("/reauth?next=/enroll/passkey", "password", "wrong password", "code",
        Fixtures.totp(secret, clock.instant())).statusCode());
    HttpResponse<String> confirmed = c.post("/reauth?next=/enroll/passkey", "password", PASSWORD,
        "code", Fixtures.totp(secret, clock.instant()));
    assertEquals("/enroll/passkey?m=confirmed", location(confirmed), confirmed.body());
    HttpResponse<String> registered = registerPasskey(c, attacker);
    assertEquals(200, registered.statusCode(), registered.body());
    assertEquals(1, app.service().passkeysOf(frank).size());
  }

  @Test
  void passkeys_areListedAndRemoved_afterAFreshPasskeyConfirmation_andEveryChangeIsAudited() throws Exception {
    Client c = new Client();
    registerWithTotp(c, "grace");
    SoftAuthenticator key = new SoftAuthenticator(app.baseUri().toString().replaceAll("/$", ""));
    assertEquals(200, registerPasskey(c, key).statusCode(), "right after the set-up the sign-in is fresh");
    String account = c.get("/account").body();
    String passkeyId = find("data-passkey-id=\"([A-Za-z0-9_-]+)\"", account);
    assertTrue(account.contains("remove-passkey"), account);

    clock.advance(Duration.ofMinutes(6));
    assertEquals("/reauth?next=/account", location(c.post("/account/passkeys/remove", "id", passkeyId)));
    String reauth = c.get("/reauth?next=/account").body();
    assertTrue(reauth.contains("data-next=\"/account\""), reauth);
    String step = c.json("/authenticate/options", null, "{}").body();
    HttpResponse<String> stepped = c.json("/authenticate/finish",
        find("\"ceremonyId\":\"([^\"]+)\"", step), key.assertion(step));
    assertEquals(200, stepped.statusCode(), stepped.body());
    assertTrue(stepped.body().contains("\"stepUp\":true"), stepped.body());
    assertEquals(400, c.post("/account/passkeys/remove", "id", "AAAA").statusCode(), "someone else's or no passkey");
    assertEquals("/account?m=passkey-removed", location(c.post("/account/passkeys/remove", "id", passkeyId)));
    AppStore.User grace = app.service().userByNameForTests("grace").orElseThrow();
    assertTrue(app.service().passkeysOf(grace).isEmpty());
    List<String> actions = auditActions();
    assertTrue(actions.contains("authn_webauthn_registered"), actions.toString());
    assertTrue(actions.contains("authn_mfa_removed"), actions.toString());
    assertFalse(auditActions().isEmpty());
  }

  @Test
  void passwordChange_afterConfirmation_signsOutEveryOtherSession() throws Exception {
    Client c = new Client();
    String secret = registerWithTotp(c, "heidi");
    Client other = new Client();
    clock.advance(Duration.ofSeconds(30));
    other.get("/login");
    assertEquals(303, other.post("/login", "username", "heidi", "password", PASSWORD,
        "code", Fixtures.totp(secret, clock.instant())).statusCode());
    assertEquals(200, other.get("/notes").statusCode());

    c.get("/account");
    HttpResponse<String> changed = c.post("/account/password", "password", "a brand new passphrase",
        "confirm", "a brand new passphrase");
    assertEquals("/account?m=password", location(changed), changed.body());
    assertEquals(200, c.get("/account").statusCode(), "this browser gets a new session");
    assertEquals(303, other.get("/notes").statusCode(), "the other session is gone");
    assertTrue(auditActions().contains("authn_password_change"));
    clock.advance(Duration.ofSeconds(30));
    other.get("/login");
    assertEquals(400, other.post("/login", "username", "heidi", "password", PASSWORD,
        "code", Fixtures.totp(secret, clock.instant())).statusCode(), "the old password no longer works");
  }

  @Test
  void registration_isThrottledPerSource_evenInParallel_andATakenNameCostsNoHash() throws Exception {
    NotesService service = app.service();
    service.register("ivan", PASSWORD, PASSWORD, "203.0.113.1");
    long hashes = service.passwordHashesComputed();
    UserError taken = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
        () -> service.register("ivan", PASSWORD, PASSWORD, "203.0.113.1"));
    assertTrue(taken.getMessage().contains("taken"));
    assertEquals(hashes, service.passwordHashesComputed(), "no Argon2id run for a taken username");

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String name = "flood" + i;
        results.add(pool.submit(() -> {
          try {
            service.register(name, PASSWORD, PASSWORD, "198.51.100.66");
            return true;
          } catch (UserError refused) {
            assertTrue(refused.getMessage().contains("Too many accounts"), refused.getMessage());
            return false;
          }
        }));
      }
      long created = 0;
      for (Future<Boolean> f : results) {
        created += f.get() ? 1 : 0;
      }
      assertEquals(NotesService.REGISTRATIONS_PER_SOURCE, created, "at most the limit, also in parallel");
    } finally {
      pool.shutdownNow();
    }
    assertEquals(hashes + NotesService.REGISTRATIONS_PER_SOURCE, service.passwordHashesComputed());
    service.register("judy", PASSWORD, PASSWORD, "192.0.2.200"); // another source is not affected
    if (rateLimitsOnTestClock()) {
      clock.advance(NotesService.REGISTRATION_WINDOW);
      service.register("flood-later", PASSWORD, PASSWORD, "198.51.100.66"); // the window slides
    }
    assertTrue(auditActions().contains("excess_rate_limit_exceeded"));
  }

  @Test
  void oneStepLogin_wrongPassword_missingCode_andWrongCode_getTheSameAnswer() throws Exception {
    Client c = new Client();
    String secret = registerWithTotp(c, "kate");
    c.post("/logout");
    clock.advance(Duration.ofSeconds(30));
    c.get("/login");
    String right = Fixtures.totp(secret, clock.instant());
    String wrong = right.equals("000000") ? "111111" : "000000";
    Map<String, HttpResponse<String>> answers = new LinkedHashMap<>();
    answers.put("wrong password, no code", c.post("/login", "username", "kate", "password", "not my password", "code", ""));
    answers.put("right password, no code", c.post("/login", "username", "kate", "password", PASSWORD, "code", ""));
    answers.put("wrong password, right code", c.post("/login", "username", "kate", "password", "not my password", "code", right));
    answers.put("right password, wrong code", c.post("/login", "username", "kate", "password", PASSWORD, "code", wrong));
    HttpResponse<String> first = answers.values().iterator().next();
    for (Map.Entry<String, HttpResponse<String>> e : answers.entrySet()) {
      assertEquals(400, e.getValue().statusCode(), e.getKey());
      // Byte for byte, but for the CSRF token, which Spring Security masks afresh in every page.
      assertEquals(withoutCsrf(first.body()), withoutCsrf(e.getValue().body()),
          e.getKey() + " answers exactly like a wrong password");
      assertTrue(e.getValue().body().contains("Wrong username, password or code."), e.getKey());
      assertTrue(e.getValue().headers().allValues("Set-Cookie").stream().noneMatch(v -> v.startsWith("__Host-bulwark-session=")
          && !v.startsWith("__Host-bulwark-session=;")), e.getKey() + ": no session");
    }
    // Password and code together still sign in (the code of the next step: no replay).
    clock.advance(Duration.ofSeconds(30));
    HttpResponse<String> ok = c.post("/login", "username", "kate", "password", PASSWORD,
        "code", Fixtures.totp(secret, clock.instant()));
    assertEquals("/notes", location(ok), ok.body());
  }

  @Test
  void usernamesAreCanonical_oneAccountOneCounter_andTheLockingAttemptSaysSo() throws Exception {
    Client c = new Client();
    String secret = registerWithTotp(c, "Laura");
    c.post("/logout");
    Client other = new Client();
    other.get("/register");
    HttpResponse<String> twin = other.post("/register", "username", "laura", "password", PASSWORD, "confirm", PASSWORD);
    assertEquals(400, twin.statusCode());
    assertTrue(twin.body().contains("taken"), "Laura and laura are one name");
    clock.advance(Duration.ofSeconds(30));
    c.get("/login");
    assertEquals("/notes", location(c.post("/login", "username", "LAURA", "password", PASSWORD,
        "code", Fixtures.totp(secret, clock.instant()))), "any case of the name signs in");
    c.post("/logout");
    c.get("/login");
    String[] spellings = {"laura", "Laura", "LAURA", "lAuRa", "LaUrA"};
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = c.post("/login", "username", spellings[i], "password", "wrong " + i, "code", "");
      assertFalse(r.body().contains("locked"), "attempt " + (i + 1) + " is still free");
    }
    HttpResponse<String> sixth = c.post("/login", "username", "LAURA", "password", "wrong again", "code", "");
    assertTrue(sixth.body().contains("Wrong username, password or code. Too many failed attempts")
        && sixth.body().contains("locked for 1 minute"), "the failure that locks the account says so: " + sixth.body());
  }

  @Test
  void staleSession_cannotFinishAPasskeyRegistration_startedWhileItWasFresh() throws Exception {
    Client c = new Client();
    registerWithTotp(c, "mike");
    SoftAuthenticator attacker = new SoftAuthenticator(app.baseUri().toString().replaceAll("/$", ""));
    c.get("/enroll/passkey");
    HttpResponse<String> start = c.json("/register/options", null, "{}");
    assertEquals(200, start.statusCode(), "right after the set-up the sign-in is fresh");
    clock.advance(Duration.ofMinutes(5).plusSeconds(1)); // the cookie is stolen and used later
    HttpResponse<String> finish = c.json("/register/finish", find("\"ceremonyId\":\"([^\"]+)\"", start.body()),
        attacker.register(start.body()));
    assertEquals(403, finish.statusCode(), finish.body());
    assertTrue(finish.body().contains("\"error\":\"step_up_required\""), finish.body());
    AppStore.User mike = app.service().userByNameForTests("mike").orElseThrow();
    assertTrue(app.service().passkeysOf(mike).isEmpty(), "the attacker's passkey was not added");
    HttpResponse<String> again = c.json("/register/options", null, "{}");
    assertEquals(403, again.statusCode(), again.body());
  }

  /** Runs {@code task} {@code n} times on 16 threads at once; returns how many returned true. */
  private static long parallel(int n, java.util.concurrent.Callable<Boolean> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        results.add(pool.submit(() -> {
          go.await();
          return task.call();
        }));
      }
      go.countDown();
      long admitted = 0;
      for (Future<Boolean> f : results) {
        admitted += f.get() ? 1 : 0;
      }
      return admitted;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void loginsPerSource_areRateLimited_evenInParallel_andOtherSourcesAreNot() throws Exception {
    NotesService service = app.service();
    long started = System.nanoTime();
    long admitted = parallel(64, () -> {
      try {
        service.login("nobody", "a wrong password", "", "198.51.100.9");
        throw new AssertionError("an unknown account signed in");
      } catch (RateLimited limited) {
        assertEquals(429, limited.status());
        assertTrue(limited.headers().retryAfter().isPresent(), "Retry-After on every refusal");
        return false;
      } catch (UserError refused) {
        return true; // reached the login flow (a wrong password or a lockout)
      }
    });
    long ceiling = rateLimitCeiling(NotesService.LOGINS_PER_SOURCE, NotesService.LOGINS_PER_SOURCE,
        NotesService.LOGIN_WINDOW, System.nanoTime() - started);
    assertTrue(admitted >= NotesService.LOGINS_PER_SOURCE && admitted <= ceiling,
        "64 parallel sign-ins from one address: " + admitted + " reached the login flow, at most " + ceiling);
    UserError other = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
        () -> service.login("nobody", "a wrong password", "", "192.0.2.33"));
    assertFalse(other instanceof RateLimited, "another address is not limited");
    assertTrue(auditActions().contains("excess_rate_limit_exceeded"), "refusals are audit events");
  }

  @Test
  void noteCreation_isRateLimitedPerUser_over429WithRetryAfterAndRateLimitHeaders() throws Exception {
    Client c = new Client();
    registerWithTotp(c, "nina");
    c.get("/notes");
    AppStore.User nina = app.service().userByNameForTests("nina").orElseThrow();
    long started = System.nanoTime();
    long created = parallel(NotesService.NOTES_BURST + 40, () -> {
      try {
        app.service().createNote(nina, "note");
        return true;
      } catch (RateLimited limited) {
        return false;
      }
    });
    long ceiling = rateLimitCeiling(NotesService.NOTES_BURST, NotesService.NOTES_PER_WINDOW, NotesService.NOTE_WINDOW,
        System.nanoTime() - started);
    assertTrue(created >= NotesService.NOTES_BURST && created <= ceiling, created + " notes created, at most " + ceiling);
    assertEquals(created, app.service().notes(nina).size(), "every admitted note, and only those, was stored");

    HttpResponse<String> refused = c.post("/notes", "text", "one more");
    assertEquals(429, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("many notes in a short time"), refused.body());
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= NotesService.NOTE_WINDOW.toSeconds(), "Retry-After " + retryAfter);
    assertEquals("\"notes\";q=" + NotesService.NOTES_PER_WINDOW + ";w=" + NotesService.NOTE_WINDOW.toSeconds()
        + ";bulwark-burst=" + NotesService.NOTES_BURST, refused.headers().firstValue("RateLimit-Policy").orElseThrow());
    assertTrue(refused.headers().firstValue("RateLimit").orElseThrow().startsWith("\"notes\";r=0;t="),
        refused.headers().toString());
    assertEquals(created, app.service().notes(nina).size(), "the refused note was not stored");
    if (rateLimitsOnTestClock()) {
      clock.advance(Duration.ofSeconds(retryAfter));
      assertEquals(303, c.post("/notes", "text", "later").statusCode(), "admitted again after Retry-After");
    }
    // Another user has a budget of their own.
    Client other = new Client();
    registerWithTotp(other, "oscar");
    other.get("/notes");
    assertEquals(303, other.post("/notes", "text", "mine").statusCode());
  }

  @Test
  void signUps_overHttp_get429WithRetryAfter_afterTheLimit() throws Exception {
    Client c = new Client();
    c.get("/register");
    for (int i = 0; i < NotesService.REGISTRATIONS_PER_SOURCE; i++) {
      HttpResponse<String> r = c.post("/register", "username", "user" + i, "password", PASSWORD, "confirm", PASSWORD);
      assertEquals(303, r.statusCode(), "sign-up " + i + ": " + r.body());
      c.post("/logout");
      c.get("/register");
    }
    HttpResponse<String> refused = c.post("/register", "username", "one-too-many", "password", PASSWORD, "confirm", PASSWORD);
    assertEquals(429, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("Too many accounts"), refused.body());
    assertTrue(refused.headers().firstValue("Retry-After").isPresent());
    assertTrue(refused.headers().firstValue("RateLimit-Policy").orElseThrow().startsWith("\"signup\";q=5;w=600"));
    assertTrue(app.service().userByNameForTests("one-too-many").isEmpty());
  }

  @Test
  void notesAreOrganizationScoped_sharedWithATeammateAsViewerOrEditor_andInvisibleToAnotherOrganization() throws Exception {
    NotesService service = app.service();
    service.register("olivia", PASSWORD, PASSWORD, "192.0.2.1");
    service.register("peter", PASSWORD, PASSWORD, "192.0.2.2");
    service.register("quinn", PASSWORD, PASSWORD, "192.0.2.3");
    AppStore.User olivia = service.userByNameForTests("olivia").orElseThrow();
    AppStore.User peter = service.userByNameForTests("peter").orElseThrow();
    AppStore.User quinn = service.userByNameForTests("quinn").orElseThrow();
    String team = NotesService.homeOrganization(olivia.id());
    service.createNote(olivia, "team plan");
    String noteId = service.notes(olivia).get(0).id();

    // Not yet a teammate: peter cannot be given the note, and cannot read it.
    UserError outsider = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
        () -> service.shareNote(olivia, noteId, "peter", "viewer"));
    assertTrue(outsider.getMessage().contains("no teammate"), outsider.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(UserError.class, () -> service.readNote(peter, noteId));
    assertTrue(service.sharedWith(peter).isEmpty());

    // Only the organization's admin invites; then olivia shares as viewer.
    org.junit.jupiter.api.Assertions.assertThrows(UserError.class, () -> service.inviteToOrganization(peter, team, "peter"),
        "a user cannot invite themselves into someone else's organization");
    service.inviteToOrganization(olivia, team, "Peter");
    service.shareNote(olivia, noteId, "peter", "viewer");
    assertEquals("team plan", service.readNote(peter, noteId).text());
    assertEquals(List.of(noteId), service.sharedWith(peter).stream().map(NotesService.NoteView::id).toList());
    UserError viewerEdit = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
        () -> service.editNote(peter, noteId, "changed by a viewer"));
    assertTrue(viewerEdit.getMessage().contains("only read"), viewerEdit.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(UserError.class, () -> service.shareNote(peter, noteId, "olivia", "editor"),
        "a viewer cannot share");

    // As editor, peter changes the text; the owner reads the change.
    service.shareNote(olivia, noteId, "peter", "editor");
    service.editNote(peter, noteId, "team plan, v2");
    assertEquals("team plan, v2", service.readNote(olivia, noteId).text());

    // quinn is the admin of another organization: nothing of olivia's is visible or reachable.
    org.junit.jupiter.api.Assertions.assertThrows(UserError.class, () -> service.readNote(quinn, noteId));
    org.junit.jupiter.api.Assertions.assertThrows(UserError.class, () -> service.editNote(quinn, noteId, "x"));
    org.junit.jupiter.api.Assertions.assertThrows(UserError.class, () -> service.inviteToOrganization(quinn, team, "quinn"));
    org.junit.jupiter.api.Assertions.assertThrows(UserError.class, () -> service.shareNote(quinn, noteId, "quinn", "viewer"));
    assertTrue(service.sharedWith(quinn).isEmpty());
    service.inviteToOrganization(quinn, NotesService.homeOrganization(quinn.id()), "peter");
    org.junit.jupiter.api.Assertions.assertThrows(UserError.class, () -> service.shareNote(quinn, noteId, "peter", "viewer"),
        "an admin of another organization cannot share a note that is not theirs, even with a common member");
    assertEquals("team plan, v2", service.readNote(olivia, noteId).text(), "nothing changed");
    assertTrue(auditActions().contains("authz_fail"), "refusals are audit events");
    assertTrue(auditActions().contains("authz_change"), "bindings are audit events");

    // A note in the trash is shared with no one.
    service.deleteNote(olivia, noteId);
    org.junit.jupiter.api.Assertions.assertThrows(UserError.class, () -> service.readNote(peter, noteId));
    assertTrue(service.sharedWith(peter).isEmpty());
  }

  @Test
  void sharingOverHttp_teammateEdits_anotherOrganizationsAttemptIsRefused() throws Exception {
    Client rita = new Client();
    registerWithTotp(rita, "rita");
    Client sam = new Client();
    registerWithTotp(sam, "sam");
    Client tom = new Client();
    registerWithTotp(tom, "tom");
    rita.get("/account");
    assertEquals("/account?m=invited", location(rita.post("/org/invite", "username", "sam")));
    rita.get("/notes");
    assertEquals(303, rita.post("/notes", "text", "shared plan").statusCode());
    String noteId = find("data-note-id=\"([0-9a-f-]{36})\"", rita.get("/notes").body());
    assertEquals("/notes?m=shared", location(rita.post("/notes/share", "id", noteId, "username", "sam", "role", "editor")));

    String samNotes = sam.get("/notes").body();
    String shared = samNotes.substring(samNotes.indexOf("id=\"shared\""), samNotes.indexOf("id=\"trash\""));
    assertTrue(shared.contains(noteId) && shared.contains("shared plan") && shared.contains("/notes/edit"), shared);
    assertEquals("/notes?m=edited", location(sam.post("/notes/edit", "id", noteId, "text", "shared plan, edited")));

    // Another organization: the same requests with rita's note id are refused and change nothing.
    tom.get("/notes");
    HttpResponse<String> edit = tom.post("/notes/edit", "id", noteId, "text", "defaced");
    assertEquals(400, edit.statusCode());
    HttpResponse<String> share = tom.post("/notes/share", "id", noteId, "username", "tom", "role", "editor");
    assertEquals(400, share.statusCode());
    assertEquals(400, tom.post("/notes/delete", "id", noteId).statusCode());
    String tomNotes = tom.get("/notes").body();
    assertFalse(tomNotes.contains(noteId) || tomNotes.contains("shared plan"), "nothing of rita's organization is shown");
    AppStore.User ritaUser = app.service().userByNameForTests("rita").orElseThrow();
    assertEquals("shared plan, edited", app.service().readNote(ritaUser, noteId).text());
  }
}
