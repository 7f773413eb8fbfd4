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
 * <p><b>Delivery.</b> Syslog over TLS has no acknowledgement, and bytes TCP accepted are not
 * bytes the receiver read: a receiver that drops the connection in the middle of a frame loses
 * everything still in the socket buffers. So {@link #deliver} only writes (returns false), and
 * {@link #confirm()} ends the connection in order: it sends TLS close_notify and waits until the
 * receiver, having read everything before it, closes its side. Only then does the exporter commit
 * its cursor; a reset, garbage or a timeout instead makes it send everything since the last
 * confirmation again on a new connection (duplicates, never gaps). The exporter confirms when it
 * has caught up and every {@code confirmEvery} events. What a receiver does after reading (its
 * own queue, its disk) is its business. Not thread-safe (the exporter calls it from one thread).
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
  public boolean deliver(List<Line> batch) throws IOException {
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
    return false;
  }

  /**
   * Closes the connection in order (TLS close_notify) and waits until the receiver closed its side
   * after reading everything; throws if it reset the connection, sent data or did not answer.
   */
  @Override
  public void confirm() throws IOException {
    Connection c = conn;
    if (c == null) {
      return;
    }
    try {
      String broken = c.brokenBecause;
      if (broken != null) {
        throw new IOException("syslog receiver " + host + ":" + port + " " + broken);
      }
      c.closing = true;
      try {
        c.socket.shutdownOutput();
      } catch (IOException | UnsupportedOperationException e) {
        throw new IOException("cannot close the connection to " + host + ":" + port + " in order: " + e.getMessage(), e);
      }
      boolean ended;
      try {
        ended = c.ended.await(writeTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for " + host + ":" + port + " to close", e);
      }
      if (!ended) {
        throw new IOException("syslog receiver " + host + ":" + port + " did not close the connection within "
            + writeTimeout + "; what it read is unconfirmed");
      }
      if (!c.orderlyEnd) {
        throw new IOException("syslog receiver " + host + ":" + port + " " + c.brokenBecause);
      }
    } finally {
      disconnect();
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
    final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    volatile String brokenBecause;
    /** Set before this side sends close_notify; an end of stream after it is the receiver's orderly close. */
    volatile boolean closing;
    volatile boolean orderlyEnd;

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
      if (n < 0 && c.closing) {
        c.orderlyEnd = true;
      } else {
        c.brokenBecause = n < 0 ? "closed the connection before this side did (what it read is unconfirmed)"
            : "sent data, which RFC 5425 receivers never do";
      }
    } catch (IOException e) {
      c.brokenBecause = "connection failed: " + e.getMessage();
    }
    c.ended.countDown();
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

    /**
     * How long the TLS handshake and the orderly close in {@link SyslogTlsSink#confirm()} may wait
     * for the receiver (default 30 s). A receiver that stops reading blocks the exporter's thread
     * (never an appending thread) until TCP gives up on the connection.
     */
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
