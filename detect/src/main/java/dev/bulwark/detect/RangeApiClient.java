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
 * so its size does not reveal the prefix either. No answer, or anything but a 200 with well-formed
 * lines, is a {@link DetectStoreException} (its cause a {@link RangeFormatException} for bad lines,
 * another {@link IOException} otherwise), never "not breached". Thread-safe.
 */
public final class RangeApiClient implements BreachedPasswords {
  /** The longest range answer read; real ones are some tens of KiB. */
  static final int MAX_RANGE_BYTES = 16 * 1024 * 1024;

  private final URI base;
  private final HttpClient http;
  private final boolean padding;
  private final Duration timeout;

  private RangeApiClient(Builder b) {
    this.base = b.base;
    this.http = b.http == null ? HttpClient.newHttpClient() : b.http;
    this.padding = b.padding;
    this.timeout = b.timeout;
  }

  /**
   * A builder for a client of the range endpoint {@code base}.
   *
   * @param base the range endpoint with a trailing slash, e.g. {@code https://api.example/range/}
   * @throws IllegalArgumentException if {@code base} does not end with '/'
   */
  public static Builder builder(URI base) {
    return new Builder(base);
  }

  /** Settings of a {@link RangeApiClient}: the HTTP client, padding and timeout are optional. */
  public static final class Builder {
    private final URI base;
    private HttpClient http;
    private boolean padding = true;
    private Duration timeout = Duration.ofSeconds(5);

    private Builder(URI base) {
      this.base = Objects.requireNonNull(base, "base");
      if (!base.toString().endsWith("/")) {
        throw new IllegalArgumentException("base must end with '/'");
      }
    }

    /** The host's client, with its proxy, TLS and connection settings (default: a new JDK client). */
    public Builder httpClient(HttpClient http) {
      this.http = Objects.requireNonNull(http, "http");
      return this;
    }

    /** Whether to ask for padded answers (default true). */
    public Builder padding(boolean padding) {
      this.padding = padding;
      return this;
    }

    /** The time one request may take (default 5 s). */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    public RangeApiClient build() {
      return new RangeApiClient(this);
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
    HttpResponse<java.io.InputStream> resp;
    try {
      resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking " + uri, e);
    }
    String body;
    // Read at most one byte past the limit, so a hostile or broken server cannot fill the heap
    // before the size is checked; closing the stream drops the rest of the response.
    try (java.io.InputStream in = resp.body()) {
      if (resp.statusCode() != 200) {
        throw new IOException("range API " + uri + " answered " + resp.statusCode());
      }
      byte[] b = in.readNBytes(MAX_RANGE_BYTES + 1);
      if (b.length > MAX_RANGE_BYTES) {
        throw new RangeFormatException("range API " + uri + " answered more than 16 MiB");
      }
      body = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    byte[] tail = Arrays.copyOfRange(sha1, 2, 20);
    for (RangeLines.Entry e : RangeLines.parse(prefix, body, uri.toString())) {
      if (Arrays.equals(e.tail(), tail)) {
        return e.count();
      }
    }
    return 0;
  }
}
