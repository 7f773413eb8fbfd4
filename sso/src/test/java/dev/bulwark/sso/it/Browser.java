package dev.bulwark.sso.it;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A cookie-keeping HTTP client that plays the browser: it follows redirects only within the
 * identity provider and stops at the first one that leaves it (the callback to our application).
 * Its cookie jar is its own, for one host: Keycloak marks its cookies {@code Secure} even on plain
 * HTTP loopback, which browsers accept for localhost and {@code java.net.CookieManager} does not.
 */
final class Browser {
  final HttpClient http = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
  final Map<String, String> cookies = new java.util.LinkedHashMap<>();
  final String idpBase;

  Browser(String idpBase) {
    this.idpBase = idpBase;
  }

  /** The final response inside the IdP, or the 3xx whose Location leaves it. */
  HttpResponse<String> go(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> r = send(request);
    for (int i = 0; i < 10 && r.statusCode() / 100 == 3; i++) {
      URI next = r.uri().resolve(r.headers().firstValue("Location").orElseThrow());
      if (!next.toString().startsWith(idpBase)) {
        return r;
      }
      r = send(HttpRequest.newBuilder(next).timeout(Duration.ofSeconds(60)));
    }
    return r;
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    if (!cookies.isEmpty()) {
      b.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("; ")));
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    for (String sc : r.headers().allValues("Set-Cookie")) {
      String pair = sc.split(";", 2)[0];
      int eq = pair.indexOf('=');
      String name = pair.substring(0, eq).trim();
      String value = pair.substring(eq + 1).trim();
      if (value.isEmpty() || sc.toLowerCase(java.util.Locale.ROOT).contains("max-age=0")) {
        cookies.remove(name);
      } else {
        cookies.put(name, value);
      }
    }
    return r;
  }

  HttpResponse<String> get(URI uri) throws Exception {
    return go(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)));
  }

  HttpResponse<String> post(URI uri, Map<String, String> form) throws Exception {
    String body = form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return go(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** Fills Keycloak's login form on {@code page} and submits it. */
  HttpResponse<String> login(HttpResponse<String> page, String user, String password) throws Exception {
    Matcher m = Pattern.compile("action=\"([^\"]*login-actions/authenticate[^\"]*)\"").matcher(page.body());
    if (!m.find()) {
      throw new AssertionError("no login form on " + page.uri() + " (HTTP " + page.statusCode() + ")");
    }
    URI action = page.uri().resolve(m.group(1).replace("&amp;", "&"));
    return post(action, Map.of("username", user, "password", password, "credentialId", ""));
  }

  static String hiddenInput(String html, String name) {
    Matcher m = Pattern.compile("name=\"" + name + "\"\\s+value=\"([^\"]*)\"").matcher(html);
    if (!m.find()) {
      throw new AssertionError("no " + name + " in page");
    }
    return m.group(1).replace("&#x2b;", "+").replace("&#x3d;", "=").replace("&#x2f;", "/").replace("&amp;", "&");
  }
}
