package dev.bulwark.sso.it;

import java.net.CookieManager;
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
 */
final class Browser {
  final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
      .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
  final String idpBase;

  Browser(String idpBase) {
    this.idpBase = idpBase;
  }

  /** The final response inside the IdP, or the 3xx whose Location leaves it. */
  HttpResponse<String> go(HttpRequest request) throws Exception {
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    for (int i = 0; i < 10 && r.statusCode() / 100 == 3; i++) {
      URI next = r.uri().resolve(r.headers().firstValue("Location").orElseThrow());
      if (!next.toString().startsWith(idpBase)) {
        return r;
      }
      r = http.send(HttpRequest.newBuilder(next).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }
    return r;
  }

  HttpResponse<String> get(URI uri) throws Exception {
    return go(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build());
  }

  HttpResponse<String> post(URI uri, Map<String, String> form) throws Exception {
    String body = form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return go(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
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
