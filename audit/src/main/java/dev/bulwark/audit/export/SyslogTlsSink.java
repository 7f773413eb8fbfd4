package dev.bulwark.audit.export;

import dev.bulwark.audit.AuditEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Sends events as RFC 5424 syslog messages over TLS (RFC 5425) with octet-counting framing
 * ({@code MSG-LEN SP SYSLOG-MSG}), to rsyslog, syslog-ng or any RFC 5425 receiver.
 *
 * <p>The header is {@code <PRI>1 TIMESTAMP HOSTNAME bulwark - MSGID -} where PRI is facility 13
 * (log audit) by default and the severity follows the event's (informational, warning,
 * critical), TIMESTAMP is the event's time with microseconds, MSGID its action name, and MSG the
 * event in the exporter's format (JSON or CEF, UTF-8).
 *
 * <p><b>Security considerations.</b> The receiver's certificate is checked against the host's
 * {@link SSLContext} and its name against the host name given here (endpoint identification is
 * on; there is no switch to turn it off). RFC 5425 receivers never send application data: any
 * byte from the receiver is treated as a protocol error, the connection is dropped and the batch
 * fails (it is sent again on a new connection).
 *
 * <p><b>Delivery.</b> Syslog over TLS has no acknowledgement. A batch counts as delivered once
 * TLS wrote and flushed it on a connection that is still open; a failure during or before that
 * fails the batch and the exporter sends it again. A receiver that dies after TCP accepted bytes
 * but before it stored them can lose what was in flight (at most the socket buffers): where that
 * matters, point the exporter at a {@link JsonLinesSink} file tailed by a shipper with a disk
 * buffer. Not thread-safe (the exporter calls it from one thread).
 */
public final class SyslogTlsSink implements ExportSink {

  private final String host;
  private final int port;
  private final SSLContext tls;
  private final String hostname;
  private final int facility;
  private final Duration connectTimeout;
  private final Duration writeTimeout;

  private Connection conn;
  private final StringBuilder frame = new StringBuilder(1024);

  private SyslogTlsSink(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.tls = b.tls;
    this.hostname = b.hostname;
    this.facility = b.facility;
    this.connectTimeout = b.connectTimeout;
    this.writeTimeout = b.writeTimeout;
  }

  /** A sink for the receiver at {@code host}:{@code port}, trusting what {@code tls} trusts. */
  public static Builder builder(String host, int port, SSLContext tls) {
    return new Builder(host, port, tls);
  }

  @Override
  public void deliver(List<Line> batch) throws IOException {
    Connection c = connect();
    OutputStream out = c.out;
    String broken = c.brokenBecause;
    if (broken != null) {
      disconnect();
      throw new IOException("syslog receiver " + host + ":" + port + " " + broken);
    }
    try {
      for (Line l : batch) {
        byte[] msg = message(l).getBytes(StandardCharsets.UTF_8);
        out.write((msg.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.write(msg);
      }
      out.flush();
    } catch (IOException e) {
      disconnect();
      throw new IOException("sending to syslog receiver " + host + ":" + port + " failed: " + e.getMessage(), e);
    }
    broken = c.brokenBecause;
    if (broken != null) {
      disconnect();
      throw new IOException("syslog receiver " + host + ":" + port + " " + broken);
    }
  }

  /** The RFC 5424 message (without the octet count) for one line. */
  String message(Line l) {
    AuditEvent ev = l.event().logged().event();
    int severity = switch (ev.severity()) {
      case INFO -> 6;
      case WARN -> 4;
      case CRITICAL -> 2;
    };
    frame.setLength(0);
    frame.append('<').append(facility * 8 + severity).append(">1 ")
        .append(SiemFormat.iso(ev.occurredAt())).append(' ')
        .append(hostname).append(" bulwark - ")
        .append(ev.action().name(), 0, Math.min(32, ev.action().name().length()))
        .append(" - ").append(l.text());
    return frame.toString();
  }

  /** One TLS connection and what its watcher saw. */
  private static final class Connection {
    final SSLSocket socket;
    final OutputStream out;
    volatile String brokenBecause;

    Connection(SSLSocket socket) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
    }
  }

  private Connection connect() throws IOException {
    if (conn != null) {
      return conn;
    }
    SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket();
    try {
      s.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
      s.setSoTimeout((int) writeTimeout.toMillis());
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      s.setSSLParameters(p);
      s.startHandshake();
      s.setSoTimeout(0);
    } catch (IOException e) {
      s.close();
      throw new IOException("cannot connect to syslog receiver " + host + ":" + port + ": " + e.getMessage(), e);
    }
    Connection c = new Connection(s);
    conn = c;
    Thread reader = new Thread(() -> watch(c), "bulwark-syslog-watch");
    reader.setDaemon(true);
    reader.start();
    return c;
  }

  /** Reads what the receiver sends: it should send nothing, so any byte or an EOF marks the connection broken. */
  private static void watch(Connection c) {
    try {
      InputStream in = c.socket.getInputStream();
      byte[] buf = new byte[256];
      int n = in.read(buf);
      c.brokenBecause = n < 0 ? "closed the connection" : "sent data, which RFC 5425 receivers never do";
    } catch (IOException e) {
      c.brokenBecause = "connection failed: " + e.getMessage();
    }
    try {
      c.socket.close();
    } catch (IOException ignored) {
      // Closing a broken socket.
    }
  }

  private void disconnect() {
    if (conn != null) {
      try {
        conn.socket.close();
      } catch (IOException ignored) {
        // The connection is already unusable.
      }
    }
    conn = null;
  }

  @Override
  public void close() {
    disconnect();
  }

  @Override
  public String toString() {
    return "SyslogTlsSink[" + host + ":" + port + "]";
  }

  /** Options; {@link #build()} validates them. */
  public static final class Builder {
    private final String host;
    private final int port;
    private final SSLContext tls;
    private String hostname = "-";
    private int facility = 13;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration writeTimeout = Duration.ofSeconds(30);

    private Builder(String host, int port, SSLContext tls) {
      this.host = Objects.requireNonNull(host, "host");
      this.port = port;
      this.tls = Objects.requireNonNull(tls, "tls");
    }

    /** The HOSTNAME field: this node's name (printable ASCII, at most 255 chars; default {@code -}). */
    public Builder hostname(String name) {
      this.hostname = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The syslog facility, 0..23 (default 13, log audit; 10 is authpriv). */
    public Builder facility(int facility) {
      this.facility = facility;
      return this;
    }

    /** How long connecting and the TLS handshake may take (default 10 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** How long the handshake may wait for the receiver (default 30 s). */
    public Builder writeTimeout(Duration timeout) {
      this.writeTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    public SyslogTlsSink build() {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1..65535");
      }
      if (facility < 0 || facility > 23) {
        throw new IllegalArgumentException("facility must be 0..23");
      }
      if (hostname.isEmpty() || hostname.length() > 255 || !hostname.chars().allMatch(c -> c > 32 && c < 127)) {
        throw new IllegalArgumentException("hostname must be 1..255 printable ASCII characters");
      }
      if (connectTimeout.isNegative() || connectTimeout.isZero() || writeTimeout.isNegative() || writeTimeout.isZero()) {
        throw new IllegalArgumentException("timeouts must be positive");
      }
      return new SyslogTlsSink(this);
    }
  }
}
