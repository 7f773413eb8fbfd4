package dev.bulwark.samples.notes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.testing.FakeClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Spring Boot brings and must not spoil: a misconfigured property stops start-up with a
 * report naming it (and never printing a secret's value); no error page, whatever the cause,
 * shows a stack trace; Actuator answers on the management port only.
 */
class NotesBootTest {

  private static final String PASSWORD = "correct horse battery staple";

  @TempDir
  Path data;

  private final FakeClock clock = FakeClock.at(Instant.parse("2026-11-22T10:00:00Z"));

  private NotesApp.Options options() {
    return NotesApp.Options.defaults().withPort(0).withDataDir(data);
  }

  /** Starts the app with {@code args}, expects it to refuse, and returns what it printed. */
  private String refusedStart(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    System.setErr(capture);
    try {
      assertThrows(RuntimeException.class, () -> NotesApp.start(options(), clock, args).close());
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    String printed = buf.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("APPLICATION FAILED TO START"), printed);
    return printed;
  }

  /** The part of the start-up failure report after its banner. */
  private static String report(String printed) {
    return printed.substring(printed.indexOf("APPLICATION FAILED TO START"));
  }

  @Test
  void anUnknownBulwarkKey_stopsStartUp_namingIt_neverItsValue() {
    String printed = refusedStart("--bulwark.crypto.master-kee=c2VjcmV0IG9mIGEgbWlzc3BlbGxlZCBrZXk=");
    String report = report(printed);
    assertTrue(report.contains("'bulwark.crypto.master-kee'") && report.contains("no setting of that name"), report);
    assertFalse(printed.contains("c2VjcmV0IG9mIGEgbWlzc3BlbGxlZCBrZXk="), "a misspelled secret is never printed");
  }

  @Test
  void aDurationWithAWrongUnit_stopsStartUp_namingTheProperty() {
    String report = report(refusedStart("--bulwark.audit.checkpoint-interval=5 parsecs"));
    assertTrue(report.contains("bulwark.audit.checkpoint-interval"), report);
    assertTrue(report.contains("Duration"), "says what is expected: " + report);
  }

  @Test
  void aKeyOfTheWrongLength_stopsStartUp_namingThePropertyAndTheLength_neverTheValue() {
    String shortKey = Base64.getEncoder().encodeToString("sixteen byte key".getBytes(StandardCharsets.US_ASCII));
    String printed = refusedStart("--bulwark.crypto.master-key=" + shortKey);
    String report = report(printed);
    assertTrue(report.contains("bulwark.crypto.master-key") && report.contains("exactly 32 random bytes"), report);
    assertFalse(printed.contains(shortKey), "the key itself is never printed");
  }

  @Test
  void anUnknownKeyOfTheSample_stopsStartUp_namingIt() {
    String report = report(refusedStart("--notes.data-dri=/tmp/x"));
    assertTrue(report.contains("notes.data-dri"), report);
  }

  @Test
  void aDatabaseUrlNamingAUser_stopsStartUp_beforeAnyConnection_namingTheProperty() {
    String printed = refusedStart("--spring.profiles.active=postgres",
        "--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test?user=postgres&password=hunter2");
    String report = report(printed);
    assertTrue(report.contains("spring.datasource.url") && report.contains("without user or password"), report);
    assertFalse(printed.contains("hunter2"), "the password is never printed");
  }

  @Test
  void theShortOptions_becomeProperties_andAnythingElseIsRefusedOrPassedOn() {
    List<String> args = List.of(NotesApp.translate(new String[] {"--port", "9090", "--data", "/tmp/notes", "--postgres",
        "jdbc:postgresql://127.0.0.1:5432/test", "--pg-user", "app_role", "--pg-owner", "none", "--bulwark.x=y"}));
    assertEquals(List.of("--server.port=9090", "--notes.data-dir=/tmp/notes", "--spring.profiles.active=postgres",
        "--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test", "--spring.datasource.username=app_role",
        "--notes.postgres.owner=none", "--bulwark.x=y"), args);
    int port = Integer.parseInt(NotesApp.translate(new String[] {"--port", "0"})[0].substring("--server.port=".length()));
    assertTrue(port > 0, "--port 0 picks a concrete free port (the passkeys' origin names it)");
    assertThrows(IllegalArgumentException.class, () -> NotesApp.translate(new String[] {"--prot", "1"}));
    assertThrows(IllegalArgumentException.class, () -> NotesApp.translate(new String[] {"--port"}));
    assertThrows(NotesApp.HelpRequested.class, () -> NotesApp.translate(new String[] {"--help"}));
  }

  private static String csrf(String page) {
    Matcher m = Pattern.compile("<meta name=\"csrf\" content=\"([^\"]+)\">").matcher(page);
    assertTrue(m.find(), page);
    return m.group(1);
  }

  /** No stack trace, no exception class name, no Tomcat or Spring error page. */
  private static void noTrace(HttpResponse<String> r) {
    String body = r.body();
    for (String leak : List.of("Exception", "\tat ", "at dev.bulwark", "at org.", "Whitelabel", "Apache Tomcat",
        "Caused by")) {
      assertFalse(body.contains(leak), r.uri() + " (" + r.statusCode() + ") shows '" + leak + "':\n" + body);
    }
  }

  @Test
  void errorPages_404_405_400_500_andMalformedInput_neverShowAStackTrace() throws Exception {
    try (NotesApp app = NotesApp.start(options(), clock)) {
      HttpClient http = HttpClient.newBuilder().cookieHandler(new NotesAppTest.LocalhostCookies())
          .followRedirects(HttpClient.Redirect.NEVER).build();
      URI base = app.baseUri();
      HttpResponse<String> missing = http.send(HttpRequest.newBuilder(base.resolve("/no/such/page")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, missing.statusCode());
      noTrace(missing);
      HttpResponse<String> missingStatic = http.send(HttpRequest.newBuilder(base.resolve("/static/nothing.js")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, missingStatic.statusCode());
      noTrace(missingStatic);

      // Sign up (the session cookie is kept), then the signed-in errors.
      String csrf = csrf(http.send(HttpRequest.newBuilder(base.resolve("/register")).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      HttpResponse<String> reg = http.send(form(base.resolve("/register"), "csrf=" + csrf + "&username=zoe&password="
          + PASSWORD.replace(' ', '+') + "&confirm=" + PASSWORD.replace(' ', '+')), HttpResponse.BodyHandlers.ofString());
      assertEquals(303, reg.statusCode(), reg.body());
      String page = http.send(HttpRequest.newBuilder(base.resolve("/enroll/totp")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      csrf = csrf(page);

      HttpResponse<String> wrongMethod = http.send(HttpRequest.newBuilder(base.resolve("/notes/delete")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(405, wrongMethod.statusCode(), wrongMethod.body());
      noTrace(wrongMethod);

      HttpResponse<String> malformedForm = http.send(form(base.resolve("/enroll/totp"), "csrf=" + csrf + "&code=%zz%"),
          HttpResponse.BodyHandlers.ofString());
      assertTrue(malformedForm.statusCode() >= 400 && malformedForm.statusCode() < 500, malformedForm.body());
      noTrace(malformedForm);

      HttpResponse<String> malformedJson = http.send(HttpRequest.newBuilder(base.resolve("/bulwark/webauthn/register/finish"))
          .header("Content-Type", "application/json").header("X-CSRF-Token", csrf)
          .POST(HttpRequest.BodyPublishers.ofString("{not json")).build(), HttpResponse.BodyHandlers.ofString());
      assertTrue(malformedJson.statusCode() >= 400 && malformedJson.statusCode() < 500, malformedJson.body());
      noTrace(malformedJson);

      HttpResponse<String> malformedCookie = http.send(HttpRequest.newBuilder(base.resolve("/notes"))
          .header("Cookie", "__Host-bulwark-session=%%%;;=").build(), HttpResponse.BodyHandlers.ofString());
      assertTrue(malformedCookie.statusCode() < 500, malformedCookie.body());
      noTrace(malformedCookie);

      // A failure inside: the audit store is closed behind the app's back, so a sign-in's audit
      // record cannot be written. The sign-in fails closed with a 500 page carrying a reference.
      app.context().getBean(AuditStore.class).close();
      HttpClient other = HttpClient.newBuilder().cookieHandler(new CookieManager())
          .followRedirects(HttpClient.Redirect.NEVER).build();
      String loginCsrf = csrf(other.send(HttpRequest.newBuilder(base.resolve("/login")).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      HttpResponse<String> failed = other.send(form(base.resolve("/login"), "csrf=" + loginCsrf
          + "&username=zoe&password=wrong&code="), HttpResponse.BodyHandlers.ofString());
      assertEquals(500, failed.statusCode(), failed.body());
      assertTrue(failed.body().contains("reference <code>"), failed.body());
      assertFalse(failed.headers().allValues("Set-Cookie").stream().anyMatch(c -> c.startsWith("__Host-bulwark-session=")
          && !c.startsWith("__Host-bulwark-session=;")), "no session without its audit record");
      noTrace(failed);
    }
  }

  private static HttpRequest form(URI uri, String body) {
    return HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  /** One raw HTTP/1.1 request with the {@code Host} header given (the JDK client will not send a foreign one). */
  private static String raw(int port, String method, String path, String host) throws Exception {
    try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: " + host
          + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void onlyLocalhostIsServed_dnsRebindingAndForeignOriginsAreRefused_andPagesCarryTheStrictHeaders() throws Exception {
    try (NotesApp app = NotesApp.start(options(), clock)) {
      int port = app.baseUri().getPort();
      String rebinding = raw(port, "GET", "/", "attacker.example:" + port);
      assertTrue(rebinding.startsWith("HTTP/1.1 421"), rebinding);
      assertFalse(rebinding.contains("Create an account"), "no page for another host name");
      String numeric = raw(port, "GET", "/login", "127.0.0.1:" + port);
      assertTrue(numeric.startsWith("HTTP/1.1 303") && numeric.contains("Location: http://localhost:" + port + "/login"),
          numeric);
      assertTrue(raw(port, "POST", "/login", "127.0.0.1:" + port).startsWith("HTTP/1.1 421"), "no redirect for a POST");

      HttpClient http = HttpClient.newBuilder().cookieHandler(new NotesAppTest.LocalhostCookies())
          .followRedirects(HttpClient.Redirect.NEVER).build();
      HttpResponse<String> page = http.send(HttpRequest.newBuilder(app.baseUri().resolve("/register")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(WebSecurity.CSP, page.headers().firstValue("Content-Security-Policy").orElse(""));
      assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(""));
      assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
      assertTrue(page.headers().allValues("Set-Cookie").stream().anyMatch(c -> c.startsWith("bulwark_csrf=")
          && c.contains("HttpOnly") && c.contains("SameSite=Strict")), page.headers().toString());
      // A form posted from another site's page, with a valid token even, is refused.
      HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(form(app.baseUri().resolve("/register"),
          "csrf=" + csrf(page.body()) + "&username=eve&password=x&confirm=x"), (n, v) -> true)
          .header("Origin", "http://attacker.example").build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(403, foreign.statusCode(), foreign.body());
      assertTrue(foreign.body().contains("Cross-origin request refused"), "refused for its origin: " + foreign.body());
      assertTrue(app.service().userByNameForTests("eve").isEmpty());
    }
  }

  @Test
  void actuator_answersOnTheManagementPort_only() throws Exception {
    try (NotesApp app = NotesApp.start(options(), clock)) {
      HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
      for (String path : List.of("/actuator/health", "/actuator/prometheus", "/actuator", "/actuator/bulwark")) {
        HttpResponse<String> onAppPort = http.send(HttpRequest.newBuilder(app.baseUri().resolve(path)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(404, onAppPort.statusCode(), path + " on the app port: " + onAppPort.body());
        assertFalse(onAppPort.body().contains("\"status\"") || onAppPort.body().contains("# HELP"), onAppPort.body());
      }
      URI management = app.managementUri();
      assertTrue(management.getHost().equals("127.0.0.1") && management.getPort() != app.baseUri().getPort(),
          management.toString());
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(management.resolve("health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode(), health.body());
      assertTrue(health.body().contains("\"bulwarkAuditLog\"") && health.body().contains("\"bulwarkKeyrings\""),
          health.body());
      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(management.resolve("prometheus")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, metrics.statusCode(), metrics.body());
      assertTrue(metrics.body().contains("jvm_memory_used_bytes"), "Prometheus text format");
      assertTrue(metrics.body().contains("http_server_requests"), "the app's requests are measured");
    }
  }
}
