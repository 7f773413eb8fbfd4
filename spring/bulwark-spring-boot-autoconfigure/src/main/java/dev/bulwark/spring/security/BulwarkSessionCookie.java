package dev.bulwark.spring.security;

import java.util.Locale;
import java.util.Objects;

/**
 * The cookie that carries a Bulwark session token to the browser: always {@code HttpOnly} and
 * {@code Path=/}, never a {@code Domain}, no {@code Max-Age} (it ends with the browser; the server
 * enforces the idle and absolute timeouts either way).
 *
 * <p>The default, {@link #secureDefaults()}, is {@code __Host-bulwark-session} with {@code Secure}
 * and {@code SameSite=Lax}: the {@code __Host-} prefix makes browsers refuse the cookie unless it
 * is {@code Secure}, has {@code Path=/} and no {@code Domain}, so a sibling subdomain cannot plant
 * or shadow it. Browsers accept such a cookie from {@code http://localhost} too. For development
 * on another host over plain http, {@link #development(String, SameSite)} drops {@code Secure},
 * which needs a name without the {@code __Host-}/{@code __Secure-} prefix (browsers would refuse
 * the cookie otherwise); the constructor rejects the combination.
 *
 * @param name the cookie name (an RFC 6265 token)
 * @param secure send it over https only
 * @param sameSite {@code LAX} (default: the cookie follows top-level navigations from other sites,
 *     not their sub-requests or form posts) or {@code STRICT} (never sent on a request another
 *     site started)
 */
public record BulwarkSessionCookie(String name, boolean secure, SameSite sameSite) {

  /** The default cookie name. */
  public static final String DEFAULT_NAME = "__Host-bulwark-session";

  /** The two {@code SameSite} values Bulwark allows for a session cookie ({@code None} is not one). */
  public enum SameSite {
    LAX,
    STRICT;

    String attribute() {
      return this == LAX ? "Lax" : "Strict";
    }
  }

  public BulwarkSessionCookie {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sameSite, "sameSite");
    if (name.isEmpty() || name.length() > 64 || !name.chars().allMatch(BulwarkSessionCookie::tokenChar)) {
      throw new IllegalArgumentException("a cookie name is 1-64 characters of letters, digits and !#$%&'*+-.^_`|~");
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (!secure && (lower.startsWith("__host-") || lower.startsWith("__secure-"))) {
      throw new IllegalArgumentException("a cookie named __Host-... or __Secure-... must be Secure: browsers refuse it "
          + "otherwise; use a name without the prefix to drop Secure for development");
    }
  }

  /** {@code __Host-bulwark-session}, {@code Secure}, {@code HttpOnly}, {@code Path=/}, {@code SameSite=Lax}. */
  public static BulwarkSessionCookie secureDefaults() {
    return new BulwarkSessionCookie(DEFAULT_NAME, true, SameSite.LAX);
  }

  /** A cookie without {@code Secure}, for development over plain http on a host other than localhost. */
  public static BulwarkSessionCookie development(String name, SameSite sameSite) {
    return new BulwarkSessionCookie(name, false, sameSite);
  }

  /** The {@code Set-Cookie} header value that hands {@code token} to the browser. */
  String setHeader(String token) {
    return name + "=" + token + attributes();
  }

  /** The {@code Set-Cookie} header value that makes the browser forget the cookie. */
  String clearHeader() {
    return name + "=" + attributes() + "; Max-Age=0";
  }

  private String attributes() {
    return "; Path=/" + (secure ? "; Secure" : "") + "; HttpOnly; SameSite=" + sameSite.attribute();
  }

  private static boolean tokenChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }
}
