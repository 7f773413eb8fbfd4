package dev.bulwark.spring.security;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A browser's cookie handling over the JDK HttpClient, kept by hand so tests see every
 * {@code Set-Cookie} and can plant, keep or replay cookies: one jar per browser, no domain or path
 * logic (one test server).
 */
final class Browser {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
      .followRedirects(HttpClient.Redirect.NEVER).build();

  final String base;
  final Map<String, String> cookies = new LinkedHashMap<>();
  String csrfHeader;
  String csrfToken;
  private boolean csrfStale;

  Browser(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  /** Fetches a CSRF token (and its cookie) the way a page would. */
  Browser withCsrf() throws IOException, InterruptedException {
    JsonNode n = json(get("/test/csrf"));
    csrfHeader = n.get("header").asText();
    csrfToken = n.get("token").asText();
    csrfStale = false;
    return this;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  HttpResponse<String> form(String path, Map<String, String> fields) throws IOException, InterruptedException {
    String body = fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(),
            StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return send(csrf(HttpRequest.newBuilder(URI.create(base + path)))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    return send(csrf(HttpRequest.newBuilder(URI.create(base + path)))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** A JSON post without the CSRF header (the cookie is still sent, as a forged cross-site request would). */
  HttpResponse<String> postWithoutCsrf(String path, String json) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    if (!cookies.isEmpty()) {
      request.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("; ")));
    }
    HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    for (String set : response.headers().allValues("Set-Cookie")) {
      String pair = set.split(";", 2)[0];
      int eq = pair.indexOf('=');
      String name = pair.substring(0, eq).strip();
      String value = pair.substring(eq + 1).strip();
      if (name.equals("XSRF-TOKEN")) {
        csrfStale = true;
      }
      if (set.toLowerCase(java.util.Locale.ROOT).contains("max-age=0") || value.isEmpty()) {
        cookies.remove(name);
      } else {
        cookies.put(name, value);
      }
    }
    return response;
  }

  /**
   * Adds the CSRF header; after a login Spring Security replaced the token, so the page fetches the
   * new one first, as a script reading the cookie would.
   */
  private HttpRequest.Builder csrf(HttpRequest.Builder b) throws IOException, InterruptedException {
    if (csrfHeader != null && csrfStale) {
      csrfStale = false;
      withCsrf();
    }
    return csrfHeader == null ? b : b.header(csrfHeader, csrfToken);
  }

  /** The {@code Set-Cookie} headers of {@code response} for cookie {@code name}. */
  static List<String> setCookies(HttpResponse<?> response, String name) {
    return response.headers().allValues("Set-Cookie").stream().filter(s -> s.startsWith(name + "=")).toList();
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return WebTestApp.JSON.readTree(response.body());
  }
}
