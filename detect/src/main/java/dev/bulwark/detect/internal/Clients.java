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
    if (ua.contains("Edg/")) {
      return "edge";
    }
    if (ua.contains("Firefox/")) {
      return "firefox";
    }
    if (ua.contains("Chrome/") || ua.contains("CriOS/")) {
      return "chrome";
    }
    if (ua.contains("Safari/")) {
      return "safari";
    }
    int end = 0;
    while (end < ua.length() && ua.charAt(end) != '/' && ua.charAt(end) != ' ') {
      end++;
    }
    return ua.substring(0, Math.min(end, 32)).toLowerCase(Locale.ROOT);
  }
}
