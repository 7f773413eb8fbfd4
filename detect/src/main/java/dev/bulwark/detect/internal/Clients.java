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
   * Whether {@code address} is in {@code network}: the same answer as
   * {@code network(address).equals(network)}, without making the network's text.
   */
  public static boolean inNetwork(String address, String network) {
    if (address.indexOf(':') >= 0) {
      int n = 0;
      for (int i = 0; i < address.length(); i++) {
        if (address.charAt(i) == ':' && ++n == 3) {
          return network.length() == i + 5 && network.regionMatches(0, address, 0, i)
              && network.regionMatches(i, "::/48", 0, 5);
        }
      }
      return address.equals(network);
    }
    int dot = address.lastIndexOf('.');
    return dot > 0 ? network.length() == dot + 5 && network.regionMatches(0, address, 0, dot)
        && network.regionMatches(dot, ".0/24", 0, 5) : address.equals(network);
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
    // The letter before a slash picks the one token that could end there.
    for (int i = ua.indexOf('/', 1); i >= 0; i = ua.indexOf('/', i + 1)) {
      switch (ua.charAt(i - 1)) {
        case 'g' -> {
          if (endsAt(ua, i, "Edg")) {
            return "edge";
          }
        }
        case 'x' -> firefox |= endsAt(ua, i, "Firefox");
        case 'e' -> chrome |= endsAt(ua, i, "Chrome");
        case 'S' -> chrome |= endsAt(ua, i, "CriOS");
        case 'i' -> safari |= endsAt(ua, i, "Safari");
        default -> {
          // no browser token ends here
        }
      }
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
