package dev.bulwark.audit.export;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.LoggedEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Sends events as OpenTelemetry log records over OTLP/HTTP with protobuf encoding (a
 * {@code POST} of an {@code ExportLogsServiceRequest} to {@code <endpoint>/v1/logs},
 * {@code Content-Type: application/x-protobuf}), to an OpenTelemetry Collector or any OTLP logs
 * receiver. No dependency: the messages are written with this package's own protocol-buffers
 * writer and sent with the JDK's {@link HttpClient}.
 *
 * <p><b>Mapping.</b> One {@code ResourceLogs} per batch (resource attributes {@code service.name}
 * as configured and {@code bulwark.audit.origin}), one {@code ScopeLogs} (scope
 * {@code dev.bulwark.audit}, version {@link SiemFormat#MAPPING_VERSION}), one {@code LogRecord}
 * per event: {@code time_unix_nano} the event's time, {@code observed_time_unix_nano} the time
 * the log recorded it, severity INFO (9), WARN (13) or ERROR (17) for critical events with the
 * text {@code INFO}, {@code WARN}, {@code CRITICAL}, {@code event_name} the action, the body the
 * event in the exporter's format (OCSF JSON by default, with its proof), and attributes
 * {@code bulwark.audit.event_id}, {@code bulwark.audit.seq} and {@code bulwark.audit.origin}. A
 * re-sent event is byte for byte the same record with the same event id.
 *
 * <p><b>Delivery.</b> {@link #deliver} returns true only for HTTP 200 with a readable
 * {@code ExportLogsServiceResponse} that rejected nothing. Everything else is an
 * {@link IOException} and the exporter sends the batch again from its cursor: no answer, a
 * dropped connection, a redirect, an answer that is not a protocol-buffers response (garbage),
 * an answer longer than 64 KiB, HTTP 429, 502, 503 and 504 (retried after the receiver's {@code Retry-After}, seconds or an
 * HTTP date, at most {@code maxRetryAfter}; without one, the exporter's backoff), any other 4xx
 * or 5xx (the receiver's {@code google.rpc.Status} message in the exception), and a partial
 * success that rejected records. The OTLP specification says a client should not retry the last
 * two; an audit exporter that dropped them would lose events silently, so this one keeps trying
 * (the exporter's {@code stats()} shows why) until the receiver takes them.
 *
 * <p>Headers given to the builder (an API key, an authorization) are sent with every request and
 * never appear in {@link #toString()} or in exception messages. Not thread-safe (the exporter calls
 * it from one thread).
 */
public final class OtlpLogsSink implements ExportSink {

  /** The severity numbers of the OTLP log data model. */
  private static final int SEVERITY_INFO = 9;
  private static final int SEVERITY_WARN = 13;
  private static final int SEVERITY_ERROR = 17;

  /** The longest answer read: an OTLP response or status is a few hundred bytes. */
  private static final int MAX_ANSWER = 64 * 1024;

  private final URI endpoint;
  private final HttpClient http;
  private final Duration timeout;
  private final Duration maxRetryAfter;
  private final Map<String, String> headers;
  private final String serviceName;
  private final InstantSource clock;
  private final Sleeper sleeper;

  private final Utf8Out request = new Utf8Out(64 * 1024);
  private final Utf8Out records = new Utf8Out(64 * 1024);
  private final Utf8Out record = new Utf8Out(4096);
  private final Utf8Out part = new Utf8Out(256);
  /** Not before this instant may the next request go (the receiver's Retry-After); null: now. */
  private Instant notBefore;

  /** Waits; tests replace it. */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private OtlpLogsSink(Builder b) {
    this.endpoint = b.endpoint;
    this.http = b.http != null ? b.http : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(b.timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    this.timeout = b.timeout;
    this.maxRetryAfter = b.maxRetryAfter;
    this.headers = Map.copyOf(b.headers);
    this.serviceName = b.serviceName;
    this.clock = b.clock;
    this.sleeper = b.sleeper;
  }

  /**
   * A sink posting to {@code endpoint} (the OTLP/HTTP base, e.g. {@code http://collector:4318};
   * {@code /v1/logs} is appended unless the URI already ends with it).
   */
  public static Builder builder(URI endpoint) {
    return new Builder(endpoint);
  }

  @Override
  public boolean deliver(List<Line> batch) throws IOException {
    if (batch.isEmpty()) {
      return true;
    }
    waitForRetryAfter();
    byte[] body = encode(batch);
    HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint).timeout(timeout)
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(rb::header);
    HttpResponse<java.io.InputStream> resp;
    byte[] answer;
    try {
      resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (java.io.InputStream in = resp.body()) {
        answer = in.readNBytes(MAX_ANSWER + 1);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while sending to the OTLP receiver " + where(), e);
    } catch (IOException e) {
      throw new IOException("the OTLP receiver " + where() + " did not answer: " + e.getClass().getSimpleName(), e);
    }
    int status = resp.statusCode();
    if (answer.length > MAX_ANSWER) {
      throw new IOException("the OTLP receiver " + where() + " answered " + status + " with more than " + MAX_ANSWER
          + " bytes; the batch is sent again");
    }
    if (status == 200) {
      checkResponse(answer, batch.size());
      return true;
    }
    if (status == 429 || status == 502 || status == 503 || status == 504) {
      Duration wait = retryAfter(resp.headers().firstValue("Retry-After").orElse(null));
      if (wait != null) {
        notBefore = clock.instant().plus(wait);
      }
      throw new IOException("the OTLP receiver " + where() + " answered " + status + " (retry"
          + (wait != null ? " after " + wait.toSeconds() + " s" : "") + ")" + statusMessage(answer));
    }
    throw new IOException("the OTLP receiver " + where() + " answered " + status + statusMessage(answer));
  }

  private void waitForRetryAfter() throws IOException {
    Instant nb = notBefore;
    if (nb == null) {
      return;
    }
    notBefore = null;
    Duration wait = Duration.between(clock.instant(), nb);
    if (wait.isNegative() || wait.isZero()) {
      return;
    }
    try {
      sleeper.sleep(wait.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the OTLP receiver's Retry-After", e);
    }
  }

  /** The receiver's wait: delta-seconds or an HTTP date; null if absent or unreadable. */
  Duration retryAfter(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    Duration d;
    if (v.chars().allMatch(Character::isDigit)) {
      d = v.length() > 9 ? maxRetryAfter : Duration.ofSeconds(Long.parseLong(v));
    } else {
      try {
        d = Duration.between(clock.instant(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    if (d.isNegative()) {
      return Duration.ZERO;
    }
    return d.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : d;
  }

  /** A 200's body: empty, or an ExportLogsServiceResponse whose partial success rejected nothing. */
  private void checkResponse(byte[] answer, int sent) throws IOException {
    long rejected = 0;
    String message = null;
    try {
      Protobuf.Reader r = new Protobuf.Reader(answer, 0, answer.length);
      for (int f; (f = r.next()) != -1; ) {
        if (f == 1) {
          Protobuf.Reader p = r.nested();
          for (int g; (g = p.next()) != -1; ) {
            if (g == 1) {
              rejected = p.uint();
            } else if (g == 2) {
              message = p.string();
            } else {
              p.skip();
            }
          }
        } else {
          r.skip();
        }
      }
    } catch (IOException e) {
      throw new IOException("the OTLP receiver " + where() + " answered 200 with something that is not an OTLP "
          + "logs response (" + e.getMessage() + "); the batch is sent again", e);
    }
    if (rejected != 0) {
      throw new IOException("the OTLP receiver " + where() + " rejected " + rejected + " of " + sent
          + " log records" + (message == null || message.isEmpty() ? "" : ": " + printable(message)));
    }
  }

  /** {@code ": <message>"} of a google.rpc.Status body, or "" if there is none or it is unreadable. */
  private static String statusMessage(byte[] answer) {
    if (answer.length == 0) {
      return "";
    }
    try {
      Protobuf.Reader r = new Protobuf.Reader(answer, 0, answer.length);
      String message = null;
      for (int f; (f = r.next()) != -1; ) {
        if (f == 2 && r.wireType() == Protobuf.LEN) {
          message = r.string();
        } else {
          r.skip();
        }
      }
      return message == null || message.isEmpty() ? "" : ": " + printable(message);
    } catch (IOException | RuntimeException e) {
      return " (the body is not a status message)";
    }
  }

  /** At most 200 printable characters of a receiver's text. */
  private static String printable(String s) {
    StringBuilder sb = new StringBuilder(Math.min(s.length(), 200));
    for (int i = 0; i < s.length() && sb.length() < 200; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return sb.toString();
  }

  // ---- encoding ------------------------------------------------------------------------------

  private byte[] encode(List<Line> batch) {
    String origin = batch.get(0).event().origin();
    records.reset();
    for (Line l : batch) {
      record.reset();
      logRecord(l, record);
      Protobuf.message(records, 2, record); // ScopeLogs.log_records
    }
    // ScopeLogs: scope (1) then the records (2).
    Utf8Out scopeLogs = new Utf8Out(records.size() + 64);
    part.reset();
    Protobuf.string(part, 1, "dev.bulwark.audit"); // InstrumentationScope.name
    Protobuf.string(part, 2, SiemFormat.MAPPING_VERSION); // .version
    Protobuf.message(scopeLogs, 1, part);
    scopeLogs.write(records.array(), 0, records.size());
    // Resource: attributes.
    Utf8Out resource = new Utf8Out(128);
    keyValue(resource, 1, "service.name", serviceName);
    keyValue(resource, 1, "bulwark.audit.origin", origin);
    // ResourceLogs: resource (1), scope_logs (2).
    Utf8Out resourceLogs = new Utf8Out(scopeLogs.size() + 256);
    Protobuf.message(resourceLogs, 1, resource);
    Protobuf.message(resourceLogs, 2, scopeLogs);
    // ExportLogsServiceRequest: resource_logs (1).
    request.reset();
    Protobuf.message(request, 1, resourceLogs);
    return request.toByteArray();
  }

  private void logRecord(Line l, Utf8Out out) {
    LoggedEvent le = l.event().logged();
    AuditEvent ev = le.event();
    Protobuf.fixed64(out, 1, nanos(ev.occurredAt())); // time_unix_nano
    int severity = switch (ev.severity()) {
      case INFO -> SEVERITY_INFO;
      case WARN -> SEVERITY_WARN;
      case CRITICAL -> SEVERITY_ERROR;
    };
    Protobuf.uint(out, 2, severity); // severity_number
    Protobuf.string(out, 3, ev.severity().name()); // severity_text
    // body (5): AnyValue { string_value (1) }, the line's UTF-8 as it is.
    part.reset();
    Protobuf.tag(part, 1, Protobuf.LEN);
    Protobuf.varint(part, l.utf8Length());
    l.copyInto(part);
    Protobuf.message(out, 5, part);
    keyValue(out, 6, "bulwark.audit.event_id", ev.eventId().toString());
    keyValueInt(out, 6, "bulwark.audit.seq", le.seq());
    keyValue(out, 6, "bulwark.audit.origin", l.event().origin());
    Protobuf.fixed64(out, 11, nanos(le.recordedAt())); // observed_time_unix_nano
    Protobuf.string(out, 12, ev.action().name()); // event_name
  }

  private static long nanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  /** A KeyValue {key (1), value (2): AnyValue {string_value (1)}} as field {@code field} of {@code out}. */
  private static void keyValue(Utf8Out out, int field, String key, String value) {
    Utf8Out kv = new Utf8Out(key.length() + value.length() + 8);
    Protobuf.string(kv, 1, key);
    Utf8Out any = new Utf8Out(value.length() + 4);
    Protobuf.string(any, 1, value);
    Protobuf.message(kv, 2, any);
    Protobuf.message(out, field, kv);
  }

  /** A KeyValue whose value is an AnyValue {int_value (3)}. */
  private static void keyValueInt(Utf8Out out, int field, String key, long value) {
    Utf8Out kv = new Utf8Out(key.length() + 16);
    Protobuf.string(kv, 1, key);
    Utf8Out any = new Utf8Out(12);
    Protobuf.uint(any, 3, value);
    Protobuf.message(kv, 2, any);
    Protobuf.message(out, field, kv);
  }

  private String where() {
    return endpoint.getHost() + ":" + endpoint.getPort();
  }

  /** The endpoint without user info, query or headers. */
  @Override
  public String toString() {
    return "OtlpLogsSink[" + endpoint.getScheme() + "://" + where() + endpoint.getPath() + "]";
  }

  /** Settings of an {@link OtlpLogsSink}. */
  public static final class Builder {
    private final URI endpoint;
    private HttpClient http;
    private Duration timeout = Duration.ofSeconds(10);
    private Duration maxRetryAfter = Duration.ofMinutes(5);
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String serviceName = "bulwark";
    private InstantSource clock = Clock.systemUTC();
    private Sleeper sleeper = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);

    private Builder(URI endpoint) {
      Objects.requireNonNull(endpoint, "endpoint");
      String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
        throw new IllegalArgumentException("the OTLP endpoint must be an http or https URI with a host");
      }
      if (endpoint.getRawUserInfo() != null || endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
        throw new IllegalArgumentException("the OTLP endpoint must not carry user info, a query or a fragment");
      }
      String path = endpoint.getPath() == null ? "" : endpoint.getPath();
      if (!path.endsWith("/v1/logs")) {
        path = (path.endsWith("/") ? path.substring(0, path.length() - 1) : path) + "/v1/logs";
      }
      this.endpoint = endpoint.resolve(path);
    }

    /** The client to send with (TLS settings, a proxy); default: HTTP/1.1, no redirects, the connect timeout below. */
    public Builder httpClient(HttpClient client) {
      this.http = Objects.requireNonNull(client, "client");
      return this;
    }

    /** How long one request may take, and connecting with the default client (default 10 s). */
    public Builder timeout(Duration d) {
      Objects.requireNonNull(d, "timeout");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
      this.timeout = d;
      return this;
    }

    /** The longest {@code Retry-After} honoured (default 5 minutes). */
    public Builder maxRetryAfter(Duration d) {
      Objects.requireNonNull(d, "maxRetryAfter");
      if (d.isNegative()) {
        throw new IllegalArgumentException("maxRetryAfter must not be negative");
      }
      this.maxRetryAfter = d;
      return this;
    }

    /**
     * A header sent with every request (an API key, {@code Authorization}); never printed.
     *
     * @throws IllegalArgumentException for a name or value with control characters, or a header the
     *     sink sets itself
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':')
          || value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
        throw new IllegalArgumentException("not a valid header name or value");
      }
      if (name.equalsIgnoreCase("content-type") || name.equalsIgnoreCase("content-length")
          || name.equalsIgnoreCase("host")) {
        throw new IllegalArgumentException("the sink sets " + name + " itself");
      }
      headers.put(name, value);
      return this;
    }

    /** The resource's {@code service.name} (default {@code bulwark}). */
    public Builder serviceName(String name) {
      this.serviceName = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The clock {@code Retry-After} dates are read against (default UTC system clock). */
    public Builder clock(InstantSource c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    Builder sleeper(Sleeper s) {
      this.sleeper = Objects.requireNonNull(s, "sleeper");
      return this;
    }

    public OtlpLogsSink build() {
      return new OtlpLogsSink(this);
    }
  }
}
