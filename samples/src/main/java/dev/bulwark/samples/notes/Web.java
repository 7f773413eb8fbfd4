package dev.bulwark.samples.notes;

import static dev.bulwark.samples.notes.Html.h;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.bulwark.audit.Finding;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.VerificationReport;
import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.totp.TotpEnrollment;
import dev.bulwark.authn.webauthn.Ceremony;
import dev.bulwark.authn.webauthn.StoredCredential;
import dev.bulwark.lifecycle.ErasureReport;
import dev.bulwark.lifecycle.PurgeScheduler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The web layer: one handler that routes by method and path, renders server-side HTML and
 * answers the passkey script's JSON calls.
 *
 * <p>Security: the session cookie holds authn's opaque token (HttpOnly, SameSite=Strict, Secure
 * on TLS); every POST carries a CSRF token equal to a per-browser cookie (form field or
 * {@code X-CSRF-Token} header) and, when the browser sends one, a matching {@code Origin}; a
 * strict Content-Security-Policy allows only the app's own script; requests for any host other
 * than {@code localhost} are refused (DNS rebinding). Errors never show a stack trace: the user
 * gets a message, the console gets a reference.
 */
final class Web implements HttpHandler {

  private static final String SESSION_COOKIE = "bulwark_session";
  private static final String CSRF_COOKIE = "bulwark_csrf";
  private static final int MAX_BODY_BYTES = 256 * 1024;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Map<String, String> FLASH = Map.ofEntries(
      Map.entry("created", "Note saved, encrypted under your own key."),
      Map.entry("deleted", "Note moved to the trash. Restore it within 30 days; after that the purge job removes it for good."),
      Map.entry("restored", "Note restored."),
      Map.entry("totp", "Authenticator app set up. Next, add a passkey (recommended; admins need one)."),
      Map.entry("passkey", "Passkey registered."),
      Map.entry("signedout", "You are signed out."),
      Map.entry("signin", "Please sign in."),
      Map.entry("gone", "Your account, its notes and its encryption key have been deleted."),
      Map.entry("verified", "Verified with your passkey."),
      Map.entry("confirmed", "Thank you: confirmed. You can change your sign-in methods for the next few minutes."),
      Map.entry("password", "Password changed. Every other session of your account was signed out."),
      Map.entry("passkey-removed", "Passkey removed."),
      Map.entry("shared", "Note shared with your teammate."),
      Map.entry("edited", "Note saved."),
      Map.entry("invited", "Teammate added to your organization."));
  /** Where /reauth may send the browser back to (never an address from the request as such). */
  private static final List<String> REAUTH_NEXT = List.of("/account", "/enroll/passkey");

  private final NotesService service;
  private final Clock clock;
  private final int port;
  private final boolean secure;
  private final String origin;

  Web(NotesService service, Clock clock, int port, boolean secure) {
    this.service = service;
    this.clock = clock;
    this.port = port;
    this.secure = secure;
    this.origin = "http://localhost:" + port;
  }

  /** One request's parsed view. */
  private final class Request {
    final HttpExchange ex;
    final String method;
    final String path;
    final Map<String, String> query;
    final Map<String, String> cookies;
    final String csrf;
    final boolean newCsrf;
    Map<String, String> form;
    String body;
    Optional<Auth> auth;

    Request(HttpExchange ex) {
      this.ex = ex;
      this.method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
      this.path = ex.getRequestURI().getPath();
      this.query = parseForm(ex.getRequestURI().getRawQuery());
      this.cookies = parseCookies(ex.getRequestHeaders().getFirst("Cookie"));
      String c = cookies.get(CSRF_COOKIE);
      this.newCsrf = c == null || c.length() != 43;
      this.csrf = newCsrf ? randomToken() : c;
    }

    String body() throws IOException {
      if (body == null) {
        try (InputStream in = ex.getRequestBody()) {
          byte[] b = in.readNBytes(MAX_BODY_BYTES + 1);
          if (b.length > MAX_BODY_BYTES) {
            throw new UserErrorUnchecked(new UserError("The request is too large."));
          }
          body = new String(b, StandardCharsets.UTF_8);
        }
      }
      return body;
    }

    String param(String name) throws IOException {
      if (form == null) {
        form = parseForm(body());
      }
      return form.get(name);
    }

    Optional<Auth> auth() {
      if (auth == null) {
        String token = cookies.get(SESSION_COOKIE);
        auth = service.session(token).flatMap(s -> service.user(s.userId()).map(u -> new Auth(s, u, token)));
      }
      return auth;
    }

    Optional<AppStore.User> user() {
      return auth().map(Auth::user);
    }

    Optional<String> flash() {
      return Optional.ofNullable(query.get("m")).map(FLASH::get);
    }
  }

  /** A signed-in request: authn's session, the user and the cookie's token. */
  private record Auth(Session session, AppStore.User user, String token) {}

  /** Carries a UserError through code that cannot throw checked exceptions. */
  private static final class UserErrorUnchecked extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserErrorUnchecked(UserError e) {
      super(e.getMessage(), e);
    }
  }

  @Override
  public void handle(HttpExchange ex) {
    try (ex) {
      Request r = new Request(ex);
      try {
        if (!hostAllowed(r)) {
          return;
        }
        if ("POST".equals(r.method) && !csrfValid(r)) {
          if (r.path.startsWith("/webauthn/")) {
            json(r, 403, "{\"error\":\"The page is out of date: reload it and try again.\"}");
          } else {
            html(r, 403, "Expired form", Optional.empty(), "<h1>This form has expired</h1><p>For your safety the request"
                + " was refused (missing or wrong CSRF token). Go <a href=\"javascript:history.back()\">back</a>,"
                + " reload the page and try again.</p>");
          }
          return;
        }
        route(r);
      } catch (UserErrorUnchecked e) {
        html(r, 400, "Error", Optional.empty(), "<h1>Something is not right</h1>" + Html.message(Optional.empty(),
            Optional.of(e.getMessage())));
      } catch (Exception | LinkageError e) {
        String ref = UUID.randomUUID().toString().substring(0, 8);
        System.err.println("bulwark-notes: request " + r.method + " " + r.path + " failed (ref " + ref + ")");
        e.printStackTrace();
        if (r.path.startsWith("/webauthn/")) {
          json(r, 500, "{\"error\":\"Something went wrong on the server (reference " + ref + ").\"}");
        } else {
          html(r, 500, "Error", Optional.empty(), "<h1>Something went wrong</h1><p>The server could not complete the"
              + " request. Nothing you did caused this; the details are in the server's console (reference <code>"
              + ref + "</code>).</p><p><a href=\"/\">Back to the start page</a></p>");
        }
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("bulwark-notes: could not answer a request: " + e.getMessage());
    }
  }

  private boolean hostAllowed(Request r) throws IOException {
    String host = Optional.ofNullable(r.ex.getRequestHeaders().getFirst("Host")).orElse("");
    if (host.equals("localhost:" + port)) {
      return true;
    }
    if (host.equals("127.0.0.1:" + port) && "GET".equals(r.method)) {
      // Passkeys are bound to the name "localhost": move the browser there.
      redirect(r, origin + r.ex.getRequestURI().getRawPath());
      return false;
    }
    plain(r, 421, "This server answers only for " + origin + "/\n");
    return false;
  }

  private boolean csrfValid(Request r) throws IOException {
    String o = r.ex.getRequestHeaders().getFirst("Origin");
    if (o != null && !o.equals(origin)) {
      return false;
    }
    String cookie = r.cookies.get(CSRF_COOKIE);
    if (cookie == null) {
      return false;
    }
    String sent = r.ex.getRequestHeaders().getFirst("X-CSRF-Token");
    if (sent == null) {
      String ct = Optional.ofNullable(r.ex.getRequestHeaders().getFirst("Content-Type")).orElse("");
      if (!ct.startsWith("application/x-www-form-urlencoded")) {
        return false;
      }
      sent = r.param("csrf");
    }
    return sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8), cookie.getBytes(StandardCharsets.UTF_8));
  }

  private void route(Request r) throws IOException {
    String key = r.method + " " + r.path;
    switch (key) {
      case "GET /":
        if (r.user().isPresent()) {
          redirect(r, "/notes");
        } else {
          home(r);
        }
        return;
      case "GET /static/webauthn.js":
        resource(r, "static/webauthn.js", "text/javascript; charset=utf-8");
        return;
      case "GET /static/style.css":
        resource(r, "static/style.css", "text/css; charset=utf-8");
        return;
      case "GET /favicon.ico":
        r.ex.sendResponseHeaders(204, -1);
        return;
      case "GET /register":
        registerPage(r, Optional.empty(), "");
        return;
      case "POST /register":
        register(r);
        return;
      case "GET /login":
        loginPage(r, Optional.empty(), "");
        return;
      case "POST /login":
        login(r);
        return;
      case "POST /logout":
        r.auth().ifPresent(a -> service.logout(a.token()));
        r.ex.getResponseHeaders().add("Set-Cookie", sessionCookie("", 0));
        redirect(r, "/login?m=signedout");
        return;
      case "POST /webauthn/login/start":
        ceremony(r, service.startPasskeyLogin(Optional.empty(), sourceOf(r)));
        return;
      case "POST /webauthn/login/finish":
        passkeyLogin(r);
        return;
      default:
        break;
    }
    Optional<Auth> auth = r.auth();
    if (auth.isEmpty()) {
      if (r.path.startsWith("/webauthn/")) {
        json(r, 401, "{\"error\":\"Your session has ended: sign in again.\"}");
      } else if ("GET".equals(r.method) && isKnownPage(r.path)) {
        r.ex.getResponseHeaders().add("Set-Cookie", sessionCookie("", 0));
        redirect(r, "/login?m=signin");
      } else {
        notFound(r);
      }
      return;
    }
    Auth a = auth.get();
    switch (key) {
      case "GET /enroll/totp":
        totpPage(r, a, Optional.empty());
        return;
      case "POST /enroll/totp":
        confirmTotp(r, a);
        return;
      case "GET /enroll/passkey":
        if (!service.recentlyReauthenticated(a.session(), a.user())) {
          redirect(r, "/reauth?next=/enroll/passkey");
          return;
        }
        passkeyPage(r, a);
        return;
      case "POST /webauthn/register/start":
        try {
          ceremony(r, service.startPasskeyRegistration(a.session(), a.user(), sourceOf(r)));
        } catch (ReauthRequired e) {
          reauthJson(r, e, "/enroll/passkey");
        }
        return;
      case "POST /webauthn/register/finish":
        try {
          service.finishPasskeyRegistration(a.session(), a.user(), ceremonyId(r), r.body());
          json(r, 200, "{\"message\":\"Passkey registered.\",\"redirect\":\"/notes?m=passkey\"}");
        } catch (ReauthRequired e) {
          reauthJson(r, e, "/enroll/passkey");
        } catch (UserError e) {
          jsonError(r, e);
        }
        return;
      case "GET /reauth":
        reauthPage(r, a, Optional.empty());
        return;
      case "POST /reauth":
        reauth(r, a);
        return;
      case "GET /stepup":
        stepUpPage(r, a);
        return;
      case "POST /webauthn/stepup/start":
        ceremony(r, service.startPasskeyLogin(Optional.of(a.user()), sourceOf(r)));
        return;
      case "POST /webauthn/stepup/finish":
        try {
          IssuedSession s = service.finishStepUp(a.user(), a.token(), ceremonyId(r), r.body());
          r.ex.getResponseHeaders().add("Set-Cookie", sessionCookie(s.token().reveal(), -1));
          String next = reauthNextOf(r).map(n -> n + "?m=confirmed").orElse("/admin?m=verified");
          json(r, 200, "{\"message\":\"Verified.\",\"redirect\":\"" + jsonEscape(next) + "\"}");
        } catch (UserError e) {
          jsonError(r, e);
        }
        return;
      default:
        break;
    }
    if (!service.hasTotp(a.user())) {
      // Every account finishes its set-up (an authenticator app) before anything else.
      redirect(r, "/enroll/totp");
      return;
    }
    switch (key) {
      case "GET /notes":
        notesPage(r, a, Optional.empty(), 200);
        return;
      case "POST /notes":
        try {
          service.createNote(a.user(), r.param("text"));
          redirect(r, "/notes?m=created");
        } catch (RateLimited e) {
          notesPage(r, a, Optional.of(e.getMessage()), limitedStatus(r, e));
        } catch (UserError e) {
          notesPage(r, a, Optional.of(e.getMessage()), 400);
        }
        return;
      case "POST /notes/delete":
        try {
          service.deleteNote(a.user(), r.param("id"));
          redirect(r, "/notes?m=deleted");
        } catch (UserError e) {
          notesPage(r, a, Optional.of(e.getMessage()), 400);
        }
        return;
      case "POST /notes/restore":
        try {
          service.restoreNote(a.user(), r.param("id"));
          redirect(r, "/notes?m=restored");
        } catch (UserError e) {
          notesPage(r, a, Optional.of(e.getMessage()), 400);
        }
        return;
      case "POST /notes/share":
        try {
          service.shareNote(a.user(), r.param("id"), r.param("username"), r.param("role"));
          redirect(r, "/notes?m=shared");
        } catch (UserError e) {
          notesPage(r, a, Optional.of(e.getMessage()), 400);
        }
        return;
      case "POST /notes/edit":
        try {
          service.editNote(a.user(), r.param("id"), r.param("text"));
          redirect(r, "/notes?m=edited");
        } catch (UserError e) {
          notesPage(r, a, Optional.of(e.getMessage()), 400);
        }
        return;
      case "POST /org/invite":
        try {
          service.inviteToOrganization(a.user(), NotesService.homeOrganization(a.user().id()), r.param("username"));
          redirect(r, "/account?m=invited");
        } catch (UserError e) {
          accountPage(r, a, Optional.of(e.getMessage()), 400);
        }
        return;
      case "GET /account":
        accountPage(r, a, Optional.empty(), 200);
        return;
      case "POST /account/delete":
        deleteAccount(r, a);
        return;
      case "POST /account/password":
        changePassword(r, a);
        return;
      case "POST /account/passkeys/remove":
        try {
          service.removePasskey(a.session(), a.user(), r.param("id"));
          redirect(r, "/account?m=passkey-removed");
        } catch (ReauthRequired e) {
          redirect(r, "/reauth?next=/account");
        } catch (UserError e) {
          accountPage(r, a, Optional.of(e.getMessage()), 400);
        }
        return;
      case "GET /admin":
      case "POST /admin/purge":
        admin(r, a);
        return;
      default:
        notFound(r);
    }
  }

  /** The client's address (the sample is not behind a proxy: no forwarded header is trusted). */
  private static String sourceOf(Request r) {
    return r.ex.getRemoteAddress().getAddress().getHostAddress();
  }

  private static boolean isKnownPage(String path) {
    return List.of("/notes", "/account", "/admin", "/enroll/totp", "/enroll/passkey", "/stepup", "/reauth").contains(path);
  }

  // ------------------------------------------------------------------ pages

  private void home(Request r) throws IOException {
    html(r, 200, "Welcome", Optional.empty(), "<h1>Bulwark Notes</h1>"
        + "<p class=\"lead\">Private notes, encrypted under a key of your own. Sign in with a password and an"
        + " authenticator app, or with a passkey.</p>"
        + "<p><a class=\"button\" href=\"/register\">Create an account</a> <a class=\"button secondary\" href=\"/login\">Sign in</a></p>"
        + "<ol class=\"steps\"><li>Create an account with a long password (hashed with Argon2id).</li>"
        + "<li>Scan the QR code with an authenticator app (TOTP).</li>"
        + "<li>Add a passkey: admins need one for the admin pages.</li>"
        + "<li>Write notes; delete and restore them; delete your account to crypto-shred its key.</li></ol>"
        + "<p class=\"muted\">The first account created becomes the admin: it sees the audit log and its verification.</p>");
  }

  /** Adds {@code Retry-After} and the IETF RateLimit fields of the refusal; returns its status (429 or 503). */
  private static int limitedStatus(Request r, RateLimited e) {
    e.headers().forEach((name, value) -> r.ex.getResponseHeaders().set(name, value));
    return e.status();
  }

  private void registerPage(Request r, Optional<String> error, String username) throws IOException {
    registerPage(r, error, username, error.isPresent() ? 400 : 200);
  }

  private void registerPage(Request r, Optional<String> error, String username, int status) throws IOException {
    html(r, status, "Create account", Optional.empty(), "<h1>Create an account</h1>"
        + Html.message(Optional.empty(), error)
        + "<form method=\"post\" action=\"/register\" class=\"card\">" + Html.csrfField(r.csrf)
        + "<label>Username <input name=\"username\" id=\"username\" required autocomplete=\"username\" value=\""
        + h(username) + "\" pattern=\"[A-Za-z0-9._\\-]{3,64}\"></label>"
        + "<label>Password <input type=\"password\" name=\"password\" id=\"password\" required autocomplete=\"new-password\"></label>"
        + "<label>Repeat the password <input type=\"password\" name=\"confirm\" id=\"confirm\" required autocomplete=\"new-password\"></label>"
        + "<p class=\"hint\">At least 8 characters; a long passphrase is best. Common passwords are refused.</p>"
        + "<button type=\"submit\" id=\"register\">Create account</button></form>"
        + "<p>Already registered? <a href=\"/login\">Sign in</a>.</p>");
  }

  private void register(Request r) throws IOException {
    String username = Optional.ofNullable(r.param("username")).orElse("").trim();
    try {
      IssuedSession s = service.register(username, r.param("password"), r.param("confirm"),
          r.ex.getRemoteAddress().getAddress().getHostAddress());
      r.ex.getResponseHeaders().add("Set-Cookie", sessionCookie(s.token().reveal(), -1));
      redirect(r, "/enroll/totp");
    } catch (RateLimited e) {
      registerPage(r, Optional.of(e.getMessage()), username, limitedStatus(r, e));
    } catch (UserError e) {
      registerPage(r, Optional.of(e.getMessage()), username);
    }
  }

  private void loginPage(Request r, Optional<String> error, String username) throws IOException {
    loginPage(r, error, username, error.isPresent() ? 400 : 200);
  }

  private void loginPage(Request r, Optional<String> error, String username, int status) throws IOException {
    html(r, status, "Sign in", Optional.empty(), "<h1>Sign in</h1>"
        + Html.message(r.flash(), error)
        + "<div class=\"columns\"><form method=\"post\" action=\"/login\" class=\"card\">" + Html.csrfField(r.csrf)
        + "<h2>Password and code</h2>"
        + "<label>Username <input name=\"username\" id=\"username\" required autocomplete=\"username\" value=\"" + h(username) + "\"></label>"
        + "<label>Password <input type=\"password\" name=\"password\" id=\"password\" required autocomplete=\"current-password\"></label>"
        + "<label>6-digit code from your authenticator app <input name=\"code\" id=\"code\" inputmode=\"numeric\""
        + " autocomplete=\"one-time-code\" maxlength=\"8\"></label>"
        + "<button type=\"submit\" id=\"signin\">Sign in</button></form>"
        + "<div class=\"card\"><h2>Passkey</h2><p>Use the passkey on this device or a security key: no password needed.</p>"
        + "<button type=\"button\" data-webauthn=\"login\" id=\"passkey-login\">Sign in with a passkey</button>"
        + "<p id=\"webauthn-status\" role=\"status\"></p></div></div>"
        + "<p>New here? <a href=\"/register\">Create an account</a>.</p>");
  }

  private void login(Request r) throws IOException {
    String username = Optional.ofNullable(r.param("username")).orElse("").trim();
    String ip = r.ex.getRemoteAddress().getAddress().getHostAddress();
    try {
      IssuedSession s = service.login(username, r.param("password"), r.param("code"), ip);
      r.ex.getResponseHeaders().add("Set-Cookie", sessionCookie(s.token().reveal(), -1));
      redirect(r, "/notes");
    } catch (RateLimited e) {
      loginPage(r, Optional.of(e.getMessage()), username, limitedStatus(r, e));
    } catch (UserError e) {
      loginPage(r, Optional.of(e.getMessage()), username);
    }
  }

  private void passkeyLogin(Request r) throws IOException {
    try {
      IssuedSession s = service.finishPasskeyLogin(ceremonyId(r), r.body());
      r.ex.getResponseHeaders().add("Set-Cookie", sessionCookie(s.token().reveal(), -1));
      json(r, 200, "{\"message\":\"Signed in.\",\"redirect\":\"/notes\"}");
    } catch (UserError e) {
      jsonError(r, e);
    }
  }

  private void totpPage(Request r, Auth a, Optional<String> error) throws IOException {
    if (service.hasTotp(a.user()) && error.isEmpty()) {
      redirect(r, "/account");
      return;
    }
    TotpEnrollment e = service.totpEnrollment(a.user());
    String png = Base64.getEncoder().encodeToString(e.qrCodePng(240));
    html(r, error.isPresent() ? 400 : 200, "Set up your authenticator app", Optional.of(a.user()),
        "<h1>Set up your authenticator app</h1>" + Html.message(Optional.empty(), error)
        + "<div class=\"columns\"><div class=\"card center\"><img id=\"totp-qr\" alt=\"QR code for your authenticator app\""
        + " width=\"240\" height=\"240\" src=\"data:image/png;base64," + png + "\">"
        + "<p>Can't scan it? Enter this key:</p><p><code id=\"totp-secret\">" + h(e.uri().secret().toBase32()) + "</code></p>"
        + "<p class=\"hint\">Time-based (TOTP), SHA-1, 6 digits, 30 seconds.</p></div>"
        + "<form method=\"post\" action=\"/enroll/totp\" class=\"card\">" + Html.csrfField(r.csrf)
        + "<ol><li>Open an authenticator app (Google Authenticator, Aegis, 1Password, ...).</li>"
        + "<li>Scan the QR code or type the key.</li><li>Enter the 6-digit code it shows.</li></ol>"
        + "<label>Code <input name=\"code\" id=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required maxlength=\"8\"></label>"
        + "<button type=\"submit\" id=\"confirm-totp\">Confirm</button></form></div>");
  }

  private void confirmTotp(Request r, Auth a) throws IOException {
    try {
      IssuedSession s = service.confirmTotp(a.user(), a.token(), r.param("code"));
      r.ex.getResponseHeaders().add("Set-Cookie", sessionCookie(s.token().reveal(), -1));
      redirect(r, "/enroll/passkey?m=totp");
    } catch (UserError e) {
      totpPage(r, a, Optional.of(e.getMessage()));
    }
  }

  private void passkeyPage(Request r, Auth a) throws IOException {
    html(r, 200, "Add a passkey", Optional.of(a.user()), "<h1>Add a passkey</h1>" + Html.message(r.flash(), Optional.empty())
        + "<div class=\"card\"><p>A passkey signs you in with your device's screen lock or a security key. It cannot be"
        + " phished: it only works on this site. Admin pages require one.</p>"
        + "<button type=\"button\" data-webauthn=\"register\" id=\"register-passkey\">Register a passkey</button>"
        + "<p id=\"webauthn-status\" role=\"status\"></p>"
        + "<p><a href=\"/notes\" id=\"skip-passkey\">Skip for now</a></p></div>");
  }

  private void stepUpPage(Request r, Auth a) throws IOException {
    String body;
    if (service.hasPasskey(a.user())) {
      body = "<div class=\"card\"><p>Admin pages need a phishing-resistant sign-in: confirm with your passkey"
          + " (valid for " + NotesService.ADMIN_MAX_AGE.toMinutes() + " minutes).</p>"
          + "<button type=\"button\" data-webauthn=\"stepup\" id=\"stepup\">Confirm with my passkey</button>"
          + "<p id=\"webauthn-status\" role=\"status\"></p></div>";
    } else {
      body = "<div class=\"card\"><p>Admin pages need a passkey, and this account has none yet.</p>"
          + "<p><a class=\"button\" href=\"/enroll/passkey\">Register a passkey</a></p></div>";
    }
    html(r, 200, "Confirm it's you", Optional.of(a.user()), "<h1>Confirm it's you</h1>" + body);
  }

  private void notesPage(Request r, Auth a, Optional<String> error, int status) throws IOException {
    List<NotesService.NoteView> notes = service.notes(a.user());
    StringBuilder live = new StringBuilder();
    StringBuilder trash = new StringBuilder();
    for (NotesService.NoteView n : notes) {
      if (!n.deleted()) {
        live.append("<article class=\"note\" data-note-id=\"").append(h(n.id())).append("\"><div class=\"text\">")
            .append(h(n.text())).append("</div><div class=\"meta\">").append(Html.time(n.createdAt())).append(' ')
            .append(Html.postButton("/notes/delete", r.csrf, "Delete", "danger delete", "id", n.id()))
            .append("<form method=\"post\" action=\"/notes/share\" class=\"inline share\">").append(Html.csrfField(r.csrf))
            .append("<input type=\"hidden\" name=\"id\" value=\"").append(h(n.id())).append("\">")
            .append("<input name=\"username\" placeholder=\"teammate\" aria-label=\"teammate's username\" required>")
            .append("<select name=\"role\" aria-label=\"role\"><option value=\"viewer\">viewer</option>")
            .append("<option value=\"editor\">editor</option></select><button type=\"submit\">Share</button></form>")
            .append("</div></article>");
      } else {
        trash.append("<article class=\"note deleted\" data-note-id=\"").append(h(n.id())).append("\"><div class=\"text\">")
            .append(h(n.text())).append("</div><div class=\"meta\">")
            .append(n.purgeAfter().map(t -> "purged after " + Html.time(t)).orElse("in the trash")).append(' ')
            .append(Html.postButton("/notes/restore", r.csrf, "Restore", "restore", "id", n.id()))
            .append("</div></article>");
      }
    }
    html(r, status, "Notes", Optional.of(a.user()), "<h1>Your notes</h1>" + Html.message(r.flash(), error)
        + "<form method=\"post\" action=\"/notes\" class=\"card\">" + Html.csrfField(r.csrf)
        + "<label>New note <textarea name=\"text\" id=\"note-text\" rows=\"3\" maxlength=\"" + NotesService.MAX_NOTE_CHARS
        + "\" required></textarea></label><button type=\"submit\" id=\"save-note\">Save note</button></form>"
        + "<section id=\"notes\">" + (live.length() == 0 ? "<p class=\"muted\">No notes yet.</p>" : live) + "</section>"
        + "<h2>Shared with you</h2><section id=\"shared\">" + sharedNotes(r, a) + "</section>"
        + "<h2>Trash</h2><section id=\"trash\">"
        + (trash.length() == 0 ? "<p class=\"muted\">The trash is empty.</p>" : trash) + "</section>");
  }

  private String sharedNotes(Request r, Auth a) {
    StringBuilder out = new StringBuilder();
    for (NotesService.NoteView n : service.sharedWith(a.user())) {
      out.append("<article class=\"note shared\" data-note-id=\"").append(h(n.id())).append("\"><div class=\"text\">")
          .append(h(n.text())).append("</div>");
      if (service.mayEdit(a.user(), n.id())) {
        out.append("<form method=\"post\" action=\"/notes/edit\" class=\"inline edit\">").append(Html.csrfField(r.csrf))
            .append("<input type=\"hidden\" name=\"id\" value=\"").append(h(n.id())).append("\">")
            .append("<textarea name=\"text\" rows=\"2\" maxlength=\"").append(NotesService.MAX_NOTE_CHARS).append("\">")
            .append(h(n.text())).append("</textarea><button type=\"submit\">Save</button></form>");
      }
      out.append("</article>");
    }
    return out.length() == 0 ? "<p class=\"muted\">Nothing is shared with you.</p>" : out.toString();
  }

  private void accountPage(Request r, Auth a, Optional<String> error, int status) throws IOException {
    AppStore.User u = a.user();
    StringBuilder keys = new StringBuilder();
    for (StoredCredential c : service.passkeysOf(u)) {
      String id = c.credentialId().base64Url();
      keys.append("<li class=\"passkey\" data-passkey-id=\"").append(h(id)).append("\">Passkey added ")
          .append(Html.time(c.registeredAt()))
          .append(c.lastUsedAt().map(t -> ", last used " + Html.time(t)).orElse("")).append(' ')
          .append(Html.postButton("/account/passkeys/remove", r.csrf, "Remove", "danger remove-passkey", "id", id))
          .append("</li>");
    }
    Session s = a.session();
    html(r, status, "Account", Optional.of(u), "<h1>Your account</h1>" + Html.message(r.flash(), error)
        + "<div class=\"card\"><dl><dt>Username</dt><dd>" + h(u.username()) + "</dd>"
        + "<dt>Roles</dt><dd>" + h(String.join(", ", u.roles())) + "</dd>"
        + "<dt>Authenticator app</dt><dd>" + (service.hasTotp(u) ? "set up" : "not set up") + "</dd>"
        + "<dt>Passkeys</dt><dd>" + (keys.length() == 0 ? "none" : "<ul>" + keys + "</ul>") + "</dd>"
        + "<dt>This session</dt><dd>" + h(s.levelAt(clock.instant()).name()) + " via " + h(s.factors().keySet().toString())
        + ", ends by " + Html.time(s.absoluteDeadline()) + " (idle limit " + s.idleTimeout().toMinutes() + " min)</dd></dl>"
        + "<p><a class=\"button secondary\" href=\"/enroll/passkey\" id=\"add-passkey\">Add a passkey</a></p>"
        + "<p class=\"hint\">Adding or removing a passkey, changing the password and deleting the account ask you to"
        + " confirm it's you (password and code, or a passkey) unless you did in the last "
        + NotesService.REAUTH_MAX_AGE.toMinutes() + " minutes.</p></div>"
        + "<form method=\"post\" action=\"/org/invite\" class=\"card\">" + Html.csrfField(r.csrf)
        + "<h2>Your organization</h2><p>Add a teammate by username; you can then share notes with them.</p>"
        + "<label>Username <input name=\"username\" id=\"invite-username\" required></label>"
        + "<button type=\"submit\" id=\"invite\">Add teammate</button></form>"
        + "<form method=\"post\" action=\"/account/password\" class=\"card\">" + Html.csrfField(r.csrf)
        + "<h2>Change password</h2>"
        + "<label>New password <input type=\"password\" name=\"password\" id=\"new-password\" autocomplete=\"new-password\"></label>"
        + "<label>Repeat it <input type=\"password\" name=\"confirm\" id=\"new-password-confirm\" autocomplete=\"new-password\"></label>"
        + "<button type=\"submit\" id=\"change-password\">Change password</button></form>"
        + "<form method=\"post\" action=\"/account/delete\" class=\"card danger-zone\">" + Html.csrfField(r.csrf)
        + "<h2>Delete account</h2><p>Erases your notes (with deletion evidence in the audit log) and destroys your"
        + " encryption key, so any copy of your notes, even in a backup, can no longer be decrypted.</p>"
        + "<label>Type your username to confirm <input name=\"confirm\" id=\"confirm-delete\" autocomplete=\"off\"></label>"
        + "<button type=\"submit\" class=\"danger\" id=\"delete-account\">Delete my account</button></form>");
  }

  private void deleteAccount(Request r, Auth a) throws IOException {
    if (!a.user().username().equals(r.param("confirm"))) {
      accountPage(r, a, Optional.of("Type your username exactly to confirm the deletion."), 400);
      return;
    }
    try {
      ErasureReport report = service.deleteAccount(a.session(), a.user());
      r.ex.getResponseHeaders().add("Set-Cookie", sessionCookie("", 0));
      html(r, 200, "Account deleted", Optional.empty(), "<h1>Account deleted</h1>"
          + Html.message(Optional.of(FLASH.get("gone")), Optional.empty())
          + "<div class=\"card\"><p>Deletion evidence: " + report.evidence().size() + " record(s); key receipt: <code>"
          + h(report.keyShredReceipt().orElse("none")) + "</code></p><p><a href=\"/\">Start page</a></p></div>");
    } catch (ReauthRequired e) {
      redirect(r, "/reauth?next=/account");
    } catch (UserError e) {
      accountPage(r, a, Optional.of(e.getMessage()), 400);
    }
  }

  private void changePassword(Request r, Auth a) throws IOException {
    try {
      IssuedSession s = service.changePassword(a.session(), a.user(), r.param("password"), r.param("confirm"));
      r.ex.getResponseHeaders().add("Set-Cookie", sessionCookie(s.token().reveal(), -1));
      redirect(r, "/account?m=password");
    } catch (ReauthRequired e) {
      redirect(r, "/reauth?next=/account");
    } catch (UserError e) {
      accountPage(r, a, Optional.of(e.getMessage()), 400);
    }
  }

  /** The {@code next} query parameter if it is one of the pages /reauth may return to. */
  private static Optional<String> reauthNextOf(Request r) {
    return Optional.ofNullable(r.query.get("next")).filter(REAUTH_NEXT::contains);
  }

  private String reauthNext(Request r) {
    return reauthNextOf(r).orElse("/account");
  }

  private void reauthPage(Request r, Auth a, Optional<String> error) throws IOException {
    String next = reauthNext(r);
    StringBuilder body = new StringBuilder("<h1>Confirm it's you</h1>").append(Html.message(r.flash(), error))
        .append("<p>Changing how you sign in needs a fresh confirmation (at most ")
        .append(NotesService.REAUTH_MAX_AGE.toMinutes()).append(" minutes old).</p><div class=\"columns\">");
    if (service.hasTotp(a.user())) {
      body.append("<form method=\"post\" action=\"/reauth?next=").append(h(next)).append("\" class=\"card\">")
          .append(Html.csrfField(r.csrf)).append("<h2>Password and code</h2>")
          .append("<label>Password <input type=\"password\" name=\"password\" id=\"reauth-password\" required"
              + " autocomplete=\"current-password\"></label>")
          .append("<label>6-digit code <input name=\"code\" id=\"reauth-code\" inputmode=\"numeric\""
              + " autocomplete=\"one-time-code\" required maxlength=\"8\"></label>")
          .append("<button type=\"submit\" id=\"reauth\">Confirm</button></form>");
    }
    if (service.hasPasskey(a.user())) {
      body.append("<div class=\"card\"><h2>Passkey</h2><button type=\"button\" data-webauthn=\"stepup\" data-next=\"")
          .append(h(next)).append("\" id=\"reauth-passkey\">Confirm with my passkey</button>")
          .append("<p id=\"webauthn-status\" role=\"status\"></p></div>");
    }
    body.append("</div>");
    html(r, error.isPresent() ? 400 : 200, "Confirm it's you", Optional.of(a.user()), body.toString());
  }

  private void reauth(Request r, Auth a) throws IOException {
    try {
      IssuedSession s = service.reauthenticate(a.user(), a.token(), r.param("password"), r.param("code"),
          r.ex.getRemoteAddress().getAddress().getHostAddress());
      r.ex.getResponseHeaders().add("Set-Cookie", sessionCookie(s.token().reveal(), -1));
      redirect(r, reauthNext(r) + "?m=confirmed");
    } catch (UserError e) {
      reauthPage(r, a, Optional.of(e.getMessage()));
    }
  }

  private void reauthJson(Request r, ReauthRequired e, String next) throws IOException {
    json(r, 403, "{\"error\":\"" + jsonEscape(e.getMessage()) + "\",\"redirect\":\"/reauth?next=" + next + "\"}");
  }

  private void admin(Request r, Auth a) throws IOException {
    switch (service.adminAccess(a.session(), a.user())) {
      case FORBIDDEN:
        html(r, 403, "Not allowed", Optional.of(a.user()), "<h1>Not allowed</h1><p>Only the admin can open this page.</p>");
        return;
      case STEP_UP:
        redirect(r, "/stepup");
        return;
      default:
        break;
    }
    Optional<String> info = r.flash();
    if ("POST".equals(r.method)) {
      PurgeScheduler.Outcome o = service.runPurgeNow(a.user());
      info = Optional.of(o.report().map(p -> "Purge job ran: " + p.total() + " record(s) purged.")
          .orElseGet(() -> "Purge job refused or failed: " + o.error().map(Throwable::getMessage).orElse("unknown reason")));
    }
    NotesService.AdminView v = service.adminView(a.user(), 40);
    StringBuilder sb = new StringBuilder("<h1>Admin</h1>").append(Html.message(info, Optional.empty()));
    sb.append("<section class=\"card\"><h2>Audit log verification</h2>");
    if (v.report().isPresent()) {
      VerificationReport rep = v.report().get();
      sb.append("<p id=\"audit-status\" class=\"status ").append(rep.intact() ? "ok\">INTACT" : "bad\">NOT INTACT")
          .append("</p><p>").append(rep.eventsChecked()).append(" events checked (sequence ").append(rep.firstSeq())
          .append(" to ").append(Math.max(rep.firstSeq(), rep.size() - 1)).append("); last signed checkpoint covers ")
          .append(rep.lastCheckpointSize()).append(" events.</p>");
      if (!rep.findings().isEmpty()) {
        sb.append("<table id=\"findings\"><thead><tr><th>Finding</th><th>Level</th><th>Event</th><th>Where</th><th>What</th></tr></thead><tbody>");
        for (Finding f : rep.findings()) {
          sb.append("<tr class=\"").append(f.code().level().name().toLowerCase(Locale.ROOT)).append("\"><td>")
              .append(h(f.code().name())).append("</td><td>").append(f.code().level()).append("</td><td>")
              .append(f.seq() < 0 ? "" : Long.toString(f.seq())).append("</td><td>").append(h(f.location()))
              .append("</td><td>").append(h(f.message())).append("</td></tr>");
        }
        sb.append("</tbody></table>");
      } else {
        sb.append("<p class=\"muted\">No findings.</p>");
      }
      for (String n : rep.notChecked()) {
        sb.append("<p class=\"muted\">Not checked: ").append(h(n)).append("</p>");
      }
    } else {
      sb.append("<p id=\"audit-status\" class=\"status bad\">NOT INTACT</p><p>")
          .append(h(v.verifyError().orElse("unknown error"))).append("</p>");
    }
    sb.append("<p class=\"hint\" id=\"audit-lost\">Events that could not be recorded since the start: ")
        .append(v.lostEvents()).append(".</p>");
    sb.append("<p class=\"hint\">Log size ").append(v.health().size()).append(", last checkpoint at ")
        .append(v.health().lastCheckpointSize()).append(", anchored up to ").append(v.health().lastAnchoredSize())
        .append(".</p></section>");
    sb.append("<section class=\"card\"><h2>Retention and purge</h2><p>Notes in the trash are purged 30 days after"
        + " deletion; the purge job runs every hour, the audit retention job daily.</p><p>Last purge run: ")
        .append(h(v.lastPurge().map(o -> o.report().map(p -> p.total() + " record(s) purged")
            .orElseGet(() -> "refused: " + o.error().map(Throwable::getMessage).orElse("?"))).orElse("not yet")))
        .append("</p><form method=\"post\" action=\"/admin/purge\">").append(Html.csrfField(r.csrf))
        .append("<button type=\"submit\" id=\"run-purge\">Run the purge job now</button></form></section>");
    sb.append("<section class=\"card\"><h2>Latest audit events</h2>");
    v.readError().ifPresent(e -> sb.append("<p class=\"flash error\">").append(h(e)).append("</p>"));
    sb.append("<table id=\"events\"><thead><tr><th>#</th><th>Time</th><th>Action</th><th>Actor</th><th>Outcome</th>"
        + "<th>Target</th><th>Details</th></tr></thead><tbody>");
    for (LoggedEvent e : v.latest()) {
      sb.append("<tr><td>").append(e.seq()).append("</td><td>").append(Html.time(e.recordedAt())).append("</td><td>")
          .append(h(e.event().action().name())).append("</td><td>").append(h(e.event().actor().id())).append("</td><td>")
          .append(e.event().outcome()).append("</td><td>")
          .append(e.event().target() == null ? "" : h(e.event().target().type() + " " + e.event().target().id()))
          .append("</td><td class=\"details\">").append(h(e.event().details().toString())).append("</td></tr>");
    }
    sb.append("</tbody></table></section>");
    html(r, 200, "Admin", Optional.of(a.user()), sb.toString());
  }

  private void notFound(Request r) throws IOException {
    html(r, 404, "Not found", r.user(), "<h1>Page not found</h1><p>There is nothing at this address. <a href=\"/\">Start page</a></p>");
  }

  // ------------------------------------------------------------------ WebAuthn JSON

  private static String ceremonyId(Request r) {
    String id = r.ex.getRequestHeaders().getFirst("X-Ceremony");
    return id == null ? "" : id;
  }

  private void ceremony(Request r, Ceremony c) throws IOException {
    json(r, 200, "{\"ceremonyId\":\"" + jsonEscape(c.id()) + "\",\"options\":" + c.optionsJson() + "}");
  }

  private void jsonError(Request r, UserError e) throws IOException {
    json(r, 400, "{\"error\":\"" + jsonEscape(e.getMessage()) + "\"}");
  }

  static String jsonEscape(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------ plumbing

  private String sessionCookie(String token, int maxAgeSeconds) {
    return SESSION_COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
        + (maxAgeSeconds >= 0 ? "; Max-Age=" + maxAgeSeconds : "");
  }

  private void headers(Request r, String contentType) {
    var hd = r.ex.getResponseHeaders();
    hd.set("Content-Type", contentType);
    hd.set("Cache-Control", "no-store");
    hd.set("X-Content-Type-Options", "nosniff");
    hd.set("Referrer-Policy", "same-origin"); // no-referrer would make Chrome send "Origin: null" on form posts
    hd.set("X-Frame-Options", "DENY");
    hd.set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    if (r.newCsrf && contentType.startsWith("text/html")) {
      // Only pages set it: the style sheet and script load in parallel without the cookie and
      // must not replace the token the page embeds.
      hd.add("Set-Cookie", CSRF_COOKIE + "=" + r.csrf + "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : ""));
    }
  }

  private void html(Request r, int status, String title, Optional<AppStore.User> user, String body) throws IOException {
    Optional<AppStore.User> u = user.isPresent() ? user : safeUser(r);
    send(r, status, "text/html; charset=utf-8", Html.page(title, u, r.csrf, body).getBytes(StandardCharsets.UTF_8));
  }

  private static Optional<AppStore.User> safeUser(Request r) {
    try {
      return r.user();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private void json(Request r, int status, String body) throws IOException {
    send(r, status, "application/json; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  private void plain(Request r, int status, String body) throws IOException {
    send(r, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  private void redirect(Request r, String location) throws IOException {
    headers(r, "text/plain; charset=utf-8");
    r.ex.getResponseHeaders().set("Location", location);
    r.ex.sendResponseHeaders(303, -1);
  }

  private void send(Request r, int status, String contentType, byte[] body) throws IOException {
    headers(r, contentType);
    r.ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = r.ex.getResponseBody()) {
      out.write(body);
    }
  }

  private void resource(Request r, String name, String contentType) throws IOException {
    try (InputStream in = Web.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("missing resource " + name));
      }
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      in.transferTo(buf);
      send(r, 200, contentType, buf.toByteArray());
    }
  }

  private static String randomToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static Map<String, String> parseForm(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      try {
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.putIfAbsent(k, v);
      } catch (IllegalArgumentException malformed) {
        throw new UserErrorUnchecked(new UserError("The form data is malformed."));
      }
    }
    return out;
  }

  static Map<String, String> parseCookies(String header) {
    Map<String, String> out = new HashMap<>();
    if (header == null) {
      return out;
    }
    for (String part : header.split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        out.putIfAbsent(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
      }
    }
    return out;
  }
}
