package dev.bulwark.detect;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * A client for a k-anonymity range API ({@code GET <base><5 hex digits>} answering
 * {@code SUFFIX:COUNT} lines): only the first 5 hex digits of the SHA-1 leave the host, and with
 * padding on (the default) the answer is padded with zero-count entries ({@code Add-Padding: true})
 * so its size does not reveal the prefix either. Anything but a 200 with well-formed lines is an
 * {@link IOException} ({@link RangeFormatException} for bad lines), never "not breached".
 * Thread-safe.
 */
public final class RangeApiClient implements BreachedPasswords {

  private final URI base;
  private final HttpClient http;
  private final boolean padding;
  private final Duration timeout;

  /**
   * @param base the range endpoint with a trailing slash, e.g. {@code https://api.example/range/}
   * @param http the host's client (its proxy, TLS and connection settings)
   * @param padding ask for padded answers
   * @param timeout per request
   */
  public RangeApiClient(URI base, HttpClient http, boolean padding, Duration timeout) {
    this.base = Objects.requireNonNull(base, "base");
    this.http = Objects.requireNonNull(http, "http");
    this.padding = padding;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (!base.toString().endsWith("/")) {
      throw new IllegalArgumentException("base must end with '/'");
    }
  }

  /** @throws DetectStoreException if the API does not answer, answers an error or not a range */
  @Override
  public long timesSeen(byte[] sha1) {
    if (sha1.length != 20) {
      throw new IllegalArgumentException("a SHA-1 is 20 bytes");
    }
    try {
      return ask(sha1);
    } catch (IOException e) {
      throw new DetectStoreException("range API " + base + " could not answer", e);
    }
  }

  private long ask(byte[] sha1) throws IOException {
    StringBuilder hex = new StringBuilder(40);
    for (byte b : sha1) {
      hex.append(String.format(Locale.ROOT, "%02X", b));
    }
    String prefix = hex.substring(0, 5);
    URI uri = base.resolve(prefix);
    HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout).GET();
    if (padding) {
      req.header("Add-Padding", "true");
    }
    HttpResponse<String> resp;
    try {
      resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking " + uri, e);
    }
    if (resp.statusCode() != 200) {
      throw new IOException("range API " + uri + " answered " + resp.statusCode());
    }
    if (resp.body().length() > 16 * 1024 * 1024) {
      throw new RangeFormatException("range API " + uri + " answered more than 16 MiB");
    }
    byte[] tail = Arrays.copyOfRange(sha1, 2, 20);
    for (RangeLines.Entry e : RangeLines.parse(prefix, resp.body(), uri.toString())) {
      if (Arrays.equals(e.tail(), tail)) {
        return e.count();
      }
    }
    return 0;
  }
}
