package dev.bulwark.samples.notes;

import static dev.bulwark.samples.notes.Html.h;

import dev.bulwark.audit.Finding;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.VerificationReport;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.totp.TotpEnrollment;
import dev.bulwark.authn.webauthn.StoredCredential;
import dev.bulwark.spring.sso.SsoRegistration;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** The server-side HTML pages (no template engine: every value is escaped with {@link Html#h}). */
final class Pages {

  private Pages() {}

  /** Messages a redirect can ask the next page to show ({@code ?m=key}). */
  static final Map<String, String> FLASH = Map.ofEntries(
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

  /**
   * What every page needs: the CSRF token to embed, the flash message and who is signed in.
   *
   * @param csrf the request's CSRF token (masked per request by Spring Security)
   */
  record Ctx(String csrf, Optional<String> flash, Optional<AppStore.User> user) {
    ResponseEntity<String> page(int status, String title, String body) {
      return ResponseEntity.status(status).contentType(new MediaType("text", "html", StandardCharsets.UTF_8))
          .body(Html.page(title, user, csrf, body));
    }
  }

  /** A 303 See Other to {@code location} (a path of this site). */
  static <T> ResponseEntity<T> seeOther(String location) {
    return ResponseEntity.status(HttpStatus.SEE_OTHER).location(URI.create(location)).build();
  }

  static ResponseEntity<String> home(Ctx c) {
    return c.page(200, "Welcome", "<h1>Bulwark Notes</h1>"
        + "<p class=\"lead\">Private notes, encrypted under a key of your own. Sign in with a password and an"
        + " authenticator app, or with a passkey.</p>"
        + "<p><a class=\"button\" href=\"/register\">Create an account</a> <a class=\"button secondary\" href=\"/login\">Sign in</a></p>"
        + "<ol class=\"steps\"><li>Create an account with a long password (hashed with Argon2id).</li>"
        + "<li>Scan the QR code with an authenticator app (TOTP).</li>"
        + "<li>Add a passkey: admins need one for the admin pages.</li>"
        + "<li>Write notes; delete and restore them; delete your account to crypto-shred its key.</li></ol>"
        + "<p class=\"muted\">The first account created becomes the admin: it sees the audit log and its verification.</p>");
  }


  static ResponseEntity<String> register(Ctx c, Optional<String> error, String username, int status) {
    return c.page(status, "Create account", "<h1>Create an account</h1>"
        + Html.message(Optional.empty(), error)
        + "<form method=\"post\" action=\"/register\" class=\"card\">" + Html.csrfField(c.csrf())
        + "<label>Username <input name=\"username\" id=\"username\" required autocomplete=\"username\" value=\""
        + h(username) + "\" pattern=\"[A-Za-z0-9._\\-]{3,64}\"></label>"
        + "<label>Password <input type=\"password\" name=\"password\" id=\"password\" required autocomplete=\"new-password\"></label>"
        + "<label>Repeat the password <input type=\"password\" name=\"confirm\" id=\"confirm\" required autocomplete=\"new-password\"></label>"
        + "<p class=\"hint\">At least 8 characters; a long passphrase is best. Common passwords are refused.</p>"
        + "<button type=\"submit\" id=\"register\">Create account</button></form>"
        + "<p>Already registered? <a href=\"/login\">Sign in</a>.</p>");
  }


  static ResponseEntity<String> login(Ctx c, Optional<String> error, String username, int status) {
    return login(c, error, username, status, List.of());
  }

  /** The sign-in page; one "Sign in with SSO" button per configured identity provider (none without SSO). */
  static ResponseEntity<String> login(Ctx c, Optional<String> error, String username, int status,
      List<SsoRegistration> sso) {
    StringBuilder buttons = new StringBuilder();
    if (!sso.isEmpty()) {
      buttons.append("<div class=\"card\" id=\"sso\"><h2>Single sign-on</h2><p>Use your organization's account.</p>");
      for (SsoRegistration r : sso) {
        buttons.append("<p><a class=\"button\" id=\"sso-").append(h(r.id())).append("\" href=\"")
            .append(h(r.loginPath())).append("?target=/notes\">").append(h(r.label())).append("</a></p>");
      }
      buttons.append("</div>");
    }
    return c.page(status, "Sign in", "<h1>Sign in</h1>"
        + Html.message(c.flash(), error)
        + "<div class=\"columns\"><form method=\"post\" action=\"/login\" class=\"card\">" + Html.csrfField(c.csrf())
        + "<h2>Password and code</h2>"
        + "<label>Username <input name=\"username\" id=\"username\" required autocomplete=\"username\" value=\"" + h(username) + "\"></label>"
        + "<label>Password <input type=\"password\" name=\"password\" id=\"password\" required autocomplete=\"current-password\"></label>"
        + "<label>6-digit code from your authenticator app <input name=\"code\" id=\"code\" inputmode=\"numeric\""
        + " autocomplete=\"one-time-code\" maxlength=\"8\"></label>"
        + "<button type=\"submit\" id=\"signin\">Sign in</button></form>"
        + "<div class=\"card\"><h2>Passkey</h2><p>Use the passkey on this device or a security key: no password needed.</p>"
        + "<button type=\"button\" data-webauthn=\"login\" id=\"passkey-login\">Sign in with a passkey</button>"
        + "<p id=\"webauthn-status\" role=\"status\"></p></div>" + buttons + "</div>"
        + "<p>New here? <a href=\"/register\">Create an account</a>.</p>");
  }


  static ResponseEntity<String> totp(Ctx c, NotesService service, SignedIn s, Optional<String> error) {
    if (service.hasTotp(s.user()) && error.isEmpty()) {
      return seeOther("/account");
    }
    TotpEnrollment e = service.totpEnrollment(s.user());
    String png = Base64.getEncoder().encodeToString(e.qrCodePng(240));
    return c.page(error.isPresent() ? 400 : 200, "Set up your authenticator app",
        "<h1>Set up your authenticator app</h1>" + Html.message(Optional.empty(), error)
        + "<div class=\"columns\"><div class=\"card center\"><img id=\"totp-qr\" alt=\"QR code for your authenticator app\""
        + " width=\"240\" height=\"240\" src=\"data:image/png;base64," + png + "\">"
        + "<p>Can't scan it? Enter this key:</p><p><code id=\"totp-secret\">" + h(e.uri().secret().toBase32()) + "</code></p>"
        + "<p class=\"hint\">Time-based (TOTP), SHA-1, 6 digits, 30 seconds.</p></div>"
        + "<form method=\"post\" action=\"/enroll/totp\" class=\"card\">" + Html.csrfField(c.csrf())
        + "<ol><li>Open an authenticator app (Google Authenticator, Aegis, 1Password, ...).</li>"
        + "<li>Scan the QR code or type the key.</li><li>Enter the 6-digit code it shows.</li></ol>"
        + "<label>Code <input name=\"code\" id=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required maxlength=\"8\"></label>"
        + "<button type=\"submit\" id=\"confirm-totp\">Confirm</button></form></div>");
  }


  static ResponseEntity<String> passkey(Ctx c) {
    return c.page(200, "Add a passkey", "<h1>Add a passkey</h1>" + Html.message(c.flash(), Optional.empty())
        + "<div class=\"card\"><p>A passkey signs you in with your device's screen lock or a security key. It cannot be"
        + " phished: it only works on this site. Admin pages require one.</p>"
        + "<button type=\"button\" data-webauthn=\"register\" id=\"register-passkey\">Register a passkey</button>"
        + "<p id=\"webauthn-status\" role=\"status\"></p>"
        + "<p><a href=\"/notes\" id=\"skip-passkey\">Skip for now</a></p></div>");
  }


  static ResponseEntity<String> stepUp(Ctx c, NotesService service, SignedIn s) {
    String body;
    if (service.hasPasskey(s.user())) {
      body = "<div class=\"card\"><p>Admin pages need a phishing-resistant sign-in: confirm with your passkey"
          + " (valid for " + NotesService.ADMIN_MAX_AGE.toMinutes() + " minutes).</p>"
          + "<button type=\"button\" data-webauthn=\"stepup\" id=\"stepup\">Confirm with my passkey</button>"
          + "<p id=\"webauthn-status\" role=\"status\"></p></div>";
    } else {
      body = "<div class=\"card\"><p>Admin pages need a passkey, and this account has none yet.</p>"
          + "<p><a class=\"button\" href=\"/enroll/passkey\">Register a passkey</a></p></div>";
    }
    return c.page(200, "Confirm it's you", "<h1>Confirm it's you</h1>" + body);
  }


  static ResponseEntity<String> notes(Ctx c, NotesService service, SignedIn s, Optional<String> error, int status) {
    List<NotesService.NoteView> notes = service.notes(s.user());
    StringBuilder live = new StringBuilder();
    StringBuilder trash = new StringBuilder();
    for (NotesService.NoteView n : notes) {
      if (!n.deleted()) {
        live.append("<article class=\"note\" data-note-id=\"").append(h(n.id())).append("\"><div class=\"text\">")
            .append(h(n.text())).append("</div><div class=\"meta\">").append(Html.time(n.createdAt())).append(' ')
            .append(Html.postButton("/notes/delete", c.csrf(), "Delete", "danger delete", "id", n.id()))
            .append("<form method=\"post\" action=\"/notes/share\" class=\"inline share\">").append(Html.csrfField(c.csrf()))
            .append("<input type=\"hidden\" name=\"id\" value=\"").append(h(n.id())).append("\">")
            .append("<input name=\"username\" placeholder=\"teammate\" aria-label=\"teammate's username\" required>")
            .append("<select name=\"role\" aria-label=\"role\"><option value=\"viewer\">viewer</option>")
            .append("<option value=\"editor\">editor</option></select><button type=\"submit\">Share</button></form>")
            .append("</div></article>");
      } else {
        trash.append("<article class=\"note deleted\" data-note-id=\"").append(h(n.id())).append("\"><div class=\"text\">")
            .append(h(n.text())).append("</div><div class=\"meta\">")
            .append(n.purgeAfter().map(t -> "purged after " + Html.time(t)).orElse("in the trash")).append(' ')
            .append(Html.postButton("/notes/restore", c.csrf(), "Restore", "restore", "id", n.id()))
            .append("</div></article>");
      }
    }
    return c.page(status, "Notes", "<h1>Your notes</h1>" + Html.message(c.flash(), error)
        + "<form method=\"post\" action=\"/notes\" class=\"card\">" + Html.csrfField(c.csrf())
        + "<label>New note <textarea name=\"text\" id=\"note-text\" rows=\"3\" maxlength=\"" + NotesService.MAX_NOTE_CHARS
        + "\" required></textarea></label><button type=\"submit\" id=\"save-note\">Save note</button></form>"
        + "<section id=\"notes\">" + (live.length() == 0 ? "<p class=\"muted\">No notes yet.</p>" : live) + "</section>"
        + "<h2>Shared with you</h2><section id=\"shared\">" + sharedNotes(c, service, s) + "</section>"
        + "<h2>Trash</h2><section id=\"trash\">"
        + (trash.length() == 0 ? "<p class=\"muted\">The trash is empty.</p>" : trash) + "</section>");
  }

  private static String sharedNotes(Ctx c, NotesService service, SignedIn s) {
    StringBuilder out = new StringBuilder();
    for (NotesService.NoteView n : service.sharedWith(s.user())) {
      out.append("<article class=\"note shared\" data-note-id=\"").append(h(n.id())).append("\"><div class=\"text\">")
          .append(h(n.text())).append("</div>");
      if (service.mayEdit(s.user(), n.id())) {
        out.append("<form method=\"post\" action=\"/notes/edit\" class=\"inline edit\">").append(Html.csrfField(c.csrf()))
            .append("<input type=\"hidden\" name=\"id\" value=\"").append(h(n.id())).append("\">")
            .append("<textarea name=\"text\" rows=\"2\" maxlength=\"").append(NotesService.MAX_NOTE_CHARS).append("\">")
            .append(h(n.text())).append("</textarea><button type=\"submit\">Save</button></form>");
      }
      out.append("</article>");
    }
    return out.length() == 0 ? "<p class=\"muted\">Nothing is shared with you.</p>" : out.toString();
  }


  static ResponseEntity<String> account(Ctx c, NotesService service, Clock clock, SignedIn s, Optional<String> error, int status) {
    AppStore.User u = s.user();
    StringBuilder keys = new StringBuilder();
    for (StoredCredential key : service.passkeysOf(u)) {
      String id = key.credentialId().base64Url();
      keys.append("<li class=\"passkey\" data-passkey-id=\"").append(h(id)).append("\">Passkey added ")
          .append(Html.time(key.registeredAt()))
          .append(key.lastUsedAt().map(t -> ", last used " + Html.time(t)).orElse("")).append(' ')
          .append(Html.postButton("/account/passkeys/remove", c.csrf(), "Remove", "danger remove-passkey", "id", id))
          .append("</li>");
    }
    Session session = s.session();
    return c.page(status, "Account", "<h1>Your account</h1>" + Html.message(c.flash(), error)
        + "<div class=\"card\"><dl><dt>Username</dt><dd>" + h(u.username()) + "</dd>"
        + "<dt>Roles</dt><dd>" + h(String.join(", ", u.roles())) + "</dd>"
        + "<dt>Authenticator app</dt><dd>" + (service.hasTotp(u) ? "set up" : "not set up") + "</dd>"
        + "<dt>Passkeys</dt><dd>" + (keys.length() == 0 ? "none" : "<ul>" + keys + "</ul>") + "</dd>"
        + "<dt>This session</dt><dd>" + h(session.levelAt(clock.instant()).name()) + " via " + h(session.factors().keySet().toString())
        + ", ends by " + Html.time(session.absoluteDeadline()) + " (idle limit " + session.idleTimeout().toMinutes() + " min)</dd></dl>"
        + "<p><a class=\"button secondary\" href=\"/enroll/passkey\" id=\"add-passkey\">Add a passkey</a></p>"
        + "<p class=\"hint\">Adding or removing a passkey, changing the password and deleting the account ask you to"
        + " confirm it's you (password and code, or a passkey) unless you did in the last "
        + NotesService.REAUTH_MAX_AGE.toMinutes() + " minutes.</p></div>"
        + "<form method=\"post\" action=\"/org/invite\" class=\"card\">" + Html.csrfField(c.csrf())
        + "<h2>Your organization</h2><p>Add a teammate by username; you can then share notes with them.</p>"
        + "<label>Username <input name=\"username\" id=\"invite-username\" required></label>"
        + "<button type=\"submit\" id=\"invite\">Add teammate</button></form>"
        + "<form method=\"post\" action=\"/account/password\" class=\"card\">" + Html.csrfField(c.csrf())
        + "<h2>Change password</h2>"
        + "<label>New password <input type=\"password\" name=\"password\" id=\"new-password\" autocomplete=\"new-password\"></label>"
        + "<label>Repeat it <input type=\"password\" name=\"confirm\" id=\"new-password-confirm\" autocomplete=\"new-password\"></label>"
        + "<button type=\"submit\" id=\"change-password\">Change password</button></form>"
        + "<form method=\"post\" action=\"/account/delete\" class=\"card danger-zone\">" + Html.csrfField(c.csrf())
        + "<h2>Delete account</h2><p>Erases your notes (with deletion evidence in the audit log) and destroys your"
        + " encryption key, so any copy of your notes, even in a backup, can no longer be decrypted.</p>"
        + "<label>Type your username to confirm <input name=\"confirm\" id=\"confirm-delete\" autocomplete=\"off\"></label>"
        + "<button type=\"submit\" class=\"danger\" id=\"delete-account\">Delete my account</button></form>");
  }


  static ResponseEntity<String> reauth(Ctx c, NotesService service, SignedIn s, String next, Optional<String> error) {
    StringBuilder body = new StringBuilder("<h1>Confirm it's you</h1>").append(Html.message(c.flash(), error))
        .append("<p>Changing how you sign in needs a fresh confirmation (at most ")
        .append(NotesService.REAUTH_MAX_AGE.toMinutes()).append(" minutes old).</p><div class=\"columns\">");
    if (service.hasTotp(s.user())) {
      body.append("<form method=\"post\" action=\"/reauth?next=").append(h(next)).append("\" class=\"card\">")
          .append(Html.csrfField(c.csrf())).append("<h2>Password and code</h2>")
          .append("<label>Password <input type=\"password\" name=\"password\" id=\"reauth-password\" required"
              + " autocomplete=\"current-password\"></label>")
          .append("<label>6-digit code <input name=\"code\" id=\"reauth-code\" inputmode=\"numeric\""
              + " autocomplete=\"one-time-code\" required maxlength=\"8\"></label>")
          .append("<button type=\"submit\" id=\"reauth\">Confirm</button></form>");
    }
    if (service.hasPasskey(s.user())) {
      body.append("<div class=\"card\"><h2>Passkey</h2><button type=\"button\" data-webauthn=\"stepup\" data-next=\"")
          .append(h(next)).append("\" id=\"reauth-passkey\">Confirm with my passkey</button>")
          .append("<p id=\"webauthn-status\" role=\"status\"></p></div>");
    }
    body.append("</div>");
    return c.page(error.isPresent() ? 400 : 200, "Confirm it's you", body.toString());
  }


  static ResponseEntity<String> admin(Ctx c, NotesService service, SignedIn s, Optional<String> info) {
    NotesService.AdminView v = service.adminView(s.user(), 40);
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
        .append("</p><form method=\"post\" action=\"/admin/purge\">").append(Html.csrfField(c.csrf()))
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
    return c.page(200, "Admin", sb.toString());
  }

}
