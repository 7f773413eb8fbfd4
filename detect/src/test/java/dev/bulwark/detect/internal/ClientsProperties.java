package dev.bulwark.detect.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class ClientsProperties {

  /** The family as first written: one {@code contains} per browser, in order of precedence. */
  private static String reference(String ua) {
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

  @Test
  void uaFamily_onePass_answersAsOneContainsPerBrowser() {
    String[] parts = {"Edg/", "Edg", "Firefox/", "Firefox", "Chrome/", "CriOS/", "Safari/", "Safari", "/", " ", "x",
        "Mozilla/5.0 ", "(X11; Linux)", "curl/8", "okhttp", "E", "dg/", "Fire", "fox/", "ü"};
    PropertyRunner.forAll(2000, c -> {
      int n = c.draw("parts", Generators.ints(0, 8));
      StringBuilder ua = new StringBuilder();
      for (int i = 0; i < n; i++) {
        ua.append(parts[c.draw("part", Generators.ints(0, parts.length - 1))]);
      }
      String s = ua.toString();
      assertEquals(reference(s), Clients.uaFamily(s), s);
    });
    assertEquals("unknown", Clients.uaFamily(null));
    assertEquals("edge", Clients.uaFamily("Mozilla/5.0 (Windows NT 10.0) Chrome/131.0 Safari/537.36 Edg/131.0"));
  }

  @Test
  void inNetwork_answersAsComparingTheNetworksText() {
    String[] parts = {"10", ".", "0", "1", "255", ":", "::", "2001", "db8", "a", "/24", ".0/24", "::/48", "x", ""};
    PropertyRunner.forAll(3000, c -> {
      String address = join(c, parts, "address");
      String network = switch (c.draw("networkKind", Generators.ints(0, 2))) {
        case 0 -> Clients.network(address);
        case 1 -> Clients.network(join(c, parts, "other"));
        default -> join(c, parts, "network");
      };
      assertEquals(Clients.network(address).equals(network), Clients.inNetwork(address, network),
          address + " in " + network);
    });
  }

  private static String join(dev.bulwark.testing.Case c, String[] parts, String label) {
    int n = c.draw(label, Generators.ints(0, 9));
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append(parts[c.draw(label + "Part", Generators.ints(0, parts.length - 1))]);
    }
    return s.toString();
  }
}
