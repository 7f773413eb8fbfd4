package dev.bulwark.audit.internal;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Sanitising and bounding of event text against log injection. */
public final class Text {

  private static final Set<String> SECRET_WORDS =
      Set.of("password", "passwd", "passphrase", "pwd", "secret", "token", "apikey", "credential",
          "credentials", "authorization", "cookie", "otp", "totp", "cvv", "pin", "privatekey",
          "seed", "mnemonic");
  private static final Pattern JWT_LIKE = Pattern.compile("eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\..*");

  private Text() {}

  /**
   * Returns {@code value} with CR, LF, other control characters, U+2028/U+2029 and bidi
   * overrides escaped as {@code \\uXXXX} (CR/LF/TAB as {@code \\r \\n \\t}), cut to
   * {@code maxChars} characters. Null stays null.
   */
  public static String clean(String value, int maxChars) {
    if (value == null) {
      return null;
    }
    StringBuilder out = null;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      String escape = escape(c);
      if (escape != null && out == null) {
        out = new StringBuilder(value.length() + 16).append(value, 0, i);
      }
      if (out != null) {
        if (escape != null) {
          out.append(escape);
        } else {
          out.append(c);
        }
      }
    }
    String cleaned = out == null ? value : out.toString();
    if (cleaned.length() > maxChars) {
      int end = maxChars;
      if (Character.isHighSurrogate(cleaned.charAt(end - 1))) {
        end--;
      }
      cleaned = cleaned.substring(0, end);
    }
    return cleaned;
  }

  private static String escape(char c) {
    switch (c) {
      case '\r':
        return "\\r";
      case '\n':
        return "\\n";
      case '\t':
        return "\\t";
      default:
        break;
    }
    if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029'
        || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
       ) {
      return String.format(Locale.ROOT, "\\u%04x", (int) c);
    }
    return null;
  }

  /** Validates a details key: lower-case identifier, no secret-bearing words. */
  public static void checkDetailKey(String key) {
    if (!isDetailKey(key)) {
      throw new IllegalArgumentException(
          "detail keys must match [a-z][a-z0-9_.-]{0,63}: " + clean(String.valueOf(key), 70));
    }
    // The parts between '_', '.' and '-' (this runs for every decoded event, so no regex split).
    int start = 0;
    for (int i = 0; i <= key.length(); i++) {
      if (i == key.length() || isSeparator(key.charAt(i))) {
        if (i > start) {
          String part = key.substring(start, i);
          if (SECRET_WORDS.contains(part) || part.contains("password") || part.contains("secret")
              || part.contains("token")) {
            throw new IllegalArgumentException("detail key names a secret; audit events must not carry secrets: " + key);
          }
        }
        start = i + 1;
      }
    }
  }

  /** {@code key} matches {@code [a-z][a-z0-9_.-]{0,63}}. */
  private static boolean isDetailKey(String key) {
    if (key == null || key.isEmpty() || key.length() > 64) {
      return false;
    }
    char first = key.charAt(0);
    if (first < 'a' || first > 'z') {
      return false;
    }
    for (int i = 1; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || isSeparator(c))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isSeparator(char c) {
    return c == '_' || c == '.' || c == '-';
  }

  /** Rejects detail values that look like bearer tokens or private keys. */
  public static void checkDetailValue(String key, String value) {
    if (value.contains("PRIVATE KEY-----") || (value.startsWith("eyJ") && JWT_LIKE.matcher(value).matches())) {
      throw new IllegalArgumentException("detail '" + key + "' looks like a credential; audit events must not carry secrets");
    }
  }
}
