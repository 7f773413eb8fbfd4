package dev.bulwark.samples.notes;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/** Tiny HTML helpers: escaping and the page layout. */
final class Html {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  private Html() {}

  static String h(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<': sb.append("&lt;"); break;
        case '>': sb.append("&gt;"); break;
        case '&': sb.append("&amp;"); break;
        case '"': sb.append("&quot;"); break;
        case '\'': sb.append("&#39;"); break;
        default: sb.append(c);
      }
    }
    return sb.toString();
  }

  static String time(Instant t) {
    return TIME.format(t);
  }

  static String csrfField(String csrf) {
    return "<input type=\"hidden\" name=\"csrf\" value=\"" + h(csrf) + "\">";
  }

  /** A button that posts a small form (logout, delete, restore). */
  static String postButton(String action, String csrf, String label, String cssClass, String hiddenName, String hiddenValue) {
    return "<form method=\"post\" action=\"" + h(action) + "\" class=\"inline\">" + csrfField(csrf)
        + (hiddenName == null ? "" : "<input type=\"hidden\" name=\"" + h(hiddenName) + "\" value=\"" + h(hiddenValue) + "\">")
        + "<button type=\"submit\" class=\"" + h(cssClass) + "\">" + h(label) + "</button></form>";
  }

  static String message(Optional<String> info, Optional<String> error) {
    StringBuilder sb = new StringBuilder();
    info.ifPresent(m -> sb.append("<p class=\"flash ok\" role=\"status\" id=\"flash\">").append(h(m)).append("</p>"));
    error.ifPresent(m -> sb.append("<p class=\"flash error\" role=\"alert\" id=\"error\">").append(h(m)).append("</p>"));
    return sb.toString();
  }

  /** The page frame; {@code user} empty means signed out. */
  static String page(String title, Optional<AppStore.User> user, String csrf, String body) {
    StringBuilder nav = new StringBuilder();
    if (user.isPresent()) {
      nav.append("<a href=\"/notes\">Notes</a><a href=\"/account\">Account</a>");
      if (user.get().isAdmin()) {
        nav.append("<a href=\"/admin\">Admin</a>");
      }
      nav.append("<span class=\"who\">").append(h(user.get().username())).append("</span>")
          .append(postButton("/logout", csrf, "Sign out", "link", null, null));
    } else {
      nav.append("<a href=\"/login\">Sign in</a><a href=\"/register\">Create account</a>");
    }
    return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<meta name=\"csrf\" content=\"" + h(csrf) + "\">"
        + "<title>" + h(title) + " - Bulwark Notes</title>"
        + "<link rel=\"stylesheet\" href=\"/static/style.css\"></head><body>"
        + "<header><a class=\"brand\" href=\"/\">Bulwark Notes</a><nav>" + nav + "</nav></header>"
        + "<main>" + body + "</main>"
        + "<footer>A sample of the Bulwark security SDK: Argon2id passwords, TOTP, passkeys, encrypted notes,"
        + " a hash-chained audit log and retention jobs.</footer>"
        + "<script src=\"/static/webauthn.js\"></script></body></html>";
  }
}
