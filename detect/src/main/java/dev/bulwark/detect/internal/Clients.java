package dev.bulwark.detect.internal;

import java.util.Locale;

/** Coarse client features: the network an address is in and the family of a user agent. Pure. */
public final class Clients {
  private Clients() {}

  /** IPv4: the /24; IPv6: the /48 (first three groups); otherwise the text itself. Null for null. */
  public static String network(String address) {
    if (address == null) {
      return null;
    }
    if (address.indexOf(':') >= 0) {
      int n = 0;
      for (int i = 0; i < address.length(); i++) {
        if (address.charAt(i) == ':' && ++n == 3) {
          return address.substring(0, i) + "::/48";
        }
      }
      return address;
    }
    int dot = address.lastIndexOf('.');
    return dot > 0 ? address.substring(0, dot) + ".0/24" : address;
  }

  /**
   * The browser or tool family of a user agent: Edge, Chrome, Firefox, Safari, or the first
   * product token (curl, python-requests, okhttp); "unknown" for null or empty.
   */
  public static String uaFamily(String ua) {
    if (ua == null || ua.isBlank()) {
      return "unknown";
    }
    // One pass over the slashes (the same answers as contains("Edg/"), then "Firefox/", "Chrome/"
    // or "CriOS/", then "Safari/"): a user agent has a handful of slashes.
    boolean firefox = false;
    boolean chrome = false;
    boolean safari = false;
    for (int i = ua.indexOf('/'); i >= 0; i = ua.indexOf('/', i + 1)) {
      if (endsAt(ua, i, "Edg")) {
        return "edge";
      }
      firefox |= endsAt(ua, i, "Firefox");
      chrome |= endsAt(ua, i, "Chrome") || endsAt(ua, i, "CriOS");
      safari |= endsAt(ua, i, "Safari");
    }
    if (firefox) {
      return "firefox";
    }
    if (chrome) {
      return "chrome";
    }
    if (safari) {
      return "safari";
    }
    int end = 0;
    while (end < ua.length() && ua.charAt(end) != '/' && ua.charAt(end) != ' ') {
      end++;
    }
    return ua.substring(0, Math.min(end, 32)).toLowerCase(Locale.ROOT);
  }

  private static boolean endsAt(String s, int end, String token) {
    int from = end - token.length();
    return from >= 0 && s.regionMatches(from, token, 0, token.length());
  }
}
