package dev.bulwark.audit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.InMemoryAuditStore;
import dev.bulwark.audit.AuditLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The syslog sink against an RFC 5425 receiver written here (octet-counted frames over TLS) that
 * can misbehave: close in the middle of a frame, or send garbage back.
 */
class SyslogTlsSinkTest {

  @TempDir
  static Path dir;
  static TestTls tls;
  Receiver receiver;

  @BeforeAll
  static void certificates() throws Exception {
    tls = TestTls.create(dir);
  }

  @AfterEach
  void stop() throws IOException {
    if (receiver != null) {
      receiver.close();
    }
  }

  enum Mode { GOOD, CLOSE_MID_FRAME_ONCE, GARBAGE_ONCE }

  /**
   * Accepts connections one after another and parses octet-counted frames. TLS runs over a plain
   * socket it keeps, so a "drop" can be what a crash or a network failure is: the TCP connection
   * reset with no TLS close_notify. (An orderly TLS close in the middle of a frame would read, to
   * the sender, like a receiver that took everything: RFC 5425 has no acknowledgement.)
   */
  static final class Receiver implements AutoCloseable {
    final ServerSocket server;
    final List<String> messages = Collections.synchronizedList(new ArrayList<>());
    volatile Mode mode;
    volatile int connections;
    final Thread thread;

    Receiver(Mode mode) throws IOException {
      this.mode = mode;
      server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
      thread = new Thread(this::loop, "test-syslog-receiver");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void loop() {
      while (!server.isClosed()) {
        Socket raw = null;
        try {
          raw = server.accept();
          SSLSocket s = (SSLSocket) tls.server.getSocketFactory().createSocket(raw, null, raw.getPort(), false);
          s.setUseClientMode(false);
          connections++;
          s.startHandshake();
          if (serve(s)) {
            s.close(); // orderly: close_notify, then the socket
          } else {
            raw.setSoLinger(true, 0); // dropped: reset, no close_notify
          }
        } catch (IOException e) {
          // next connection
        } finally {
          closeQuietly(raw);
        }
      }
    }

    private static void closeQuietly(Socket raw) {
      if (raw != null) {
        try {
          raw.close();
        } catch (IOException e) {
          // already gone
        }
      }
    }

    /** Serves one connection; false when it should be dropped abruptly. */
    private boolean serve(SSLSocket s) throws IOException {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      if (mode == Mode.GARBAGE_ONCE) {
        mode = Mode.GOOD;
        out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        in.read(new byte[1 << 16]); // keep reading until the client gives up
        return true;
      }
      while (true) {
        StringBuilder len = new StringBuilder();
        int c;
        while ((c = in.read()) != ' ') {
          if (c < 0) {
            return true;
          }
          if (c < '0' || c > '9' || len.length() > 8) {
            throw new IOException("bad frame length");
          }
          len.append((char) c);
        }
        int n = Integer.parseInt(len.toString());
        if (mode == Mode.CLOSE_MID_FRAME_ONCE) {
          mode = Mode.GOOD;
          in.readNBytes(n / 2);
          return false; // drops the connection in the middle of a frame
        }
        byte[] msg = in.readNBytes(n);
        if (msg.length < n) {
          return true;
        }
        messages.add(new String(msg, StandardCharsets.UTF_8));
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  SyslogTlsSink sink(int port) {
    return SyslogTlsSink.builder("127.0.0.1", port, tls.client).hostname("app-1").build();
  }

  static InMemoryAuditStore storeWith(int n) throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    AuditExporterTest t = new AuditExporterTest();
    try (AuditLog log = t.log(store)) {
      AuditExporterTest.appendLogins(log, n, 0);
      log.checkpoint();
      AuditExporterTest.waitForCheckpoints(store, n);
    }
    return store;
  }

  @Test
  void framesAreRfc5424WithOctetCounting() throws Exception {
    receiver = new Receiver(Mode.GOOD);
    InMemoryAuditStore store = storeWith(5);
    try (SyslogTlsSink sink = sink(receiver.port())) {
      AuditExporter ex = AuditExporter.builder(store, AuditExporterTest.ORIGIN, SiemFormat.CEF, sink).build();
      assertEquals(5, ex.exportAvailable());
    }
    awaitMessages(5);
    String m = receiver.messages.get(0);
    // facility 13 (log audit) * 8 + severity 6 (informational)
    assertTrue(m.startsWith("<110>1 2026-12-07T00:00:00Z app-1 bulwark - authn_login_fail - CEF:0|Bulwark|"), m);
  }

  @Test
  void receiverDropsMidFrame_batchFails_cursorStays_resendOnNewConnectionLosesNothing() throws Exception {
    receiver = new Receiver(Mode.CLOSE_MID_FRAME_ONCE);
    InMemoryAuditStore store = storeWith(40);
    try (SyslogTlsSink sink = sink(receiver.port())) {
      AuditExporter ex = AuditExporter.builder(store, AuditExporterTest.ORIGIN, SiemFormat.OCSF, sink).batchSize(10).build();
      long delivered = 0;
      int failures = 0;
      for (int attempt = 0; attempt < 20 && ex.stats().next() < 40; attempt++) {
        try {
          delivered += ex.exportBatch();
        } catch (ExportException e) {
          failures++;
        }
      }
      assertEquals(40, ex.stats().next());
      assertTrue(failures >= 1, "the dropped connection failed a batch");
    }
    awaitDistinct(40);
    assertTrue(receiver.connections >= 2);
  }

  @Test
  void receiverSendsGarbage_connectionDropped_batchResentOnANewConnection() throws Exception {
    receiver = new Receiver(Mode.GARBAGE_ONCE);
    InMemoryAuditStore store = storeWith(12);
    try (SyslogTlsSink sink = sink(receiver.port())) {
      AuditExporter ex = AuditExporter.builder(store, AuditExporterTest.ORIGIN, SiemFormat.ECS, sink).batchSize(4).build();
      int failures = 0;
      for (int attempt = 0; attempt < 50 && ex.stats().next() < 12; attempt++) {
        try {
          ex.exportBatch();
        } catch (ExportException e) {
          failures++;
          assertTrue(e.getMessage().contains("sink did not take"), e.getMessage());
        }
        Thread.sleep(attempt < 2 ? 50 : 0); // let the watcher see the garbage before the next batch
      }
      assertEquals(12, ex.stats().next());
      assertTrue(failures >= 1, "garbage from the receiver failed a batch");
    }
    awaitDistinct(12);
  }

  @Test
  void untrustedReceiver_isRefused() throws Exception {
    receiver = new Receiver(Mode.GOOD);
    javax.net.ssl.SSLContext trustsNothing = javax.net.ssl.SSLContext.getInstance("TLS");
    java.security.KeyStore empty = java.security.KeyStore.getInstance("PKCS12");
    empty.load(null, null);
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
    tmf.init(empty);
    trustsNothing.init(null, tmf.getTrustManagers(), null);
    InMemoryAuditStore store = storeWith(2);
    try (SyslogTlsSink sink = SyslogTlsSink.builder("127.0.0.1", receiver.port(), trustsNothing).build()) {
      AuditExporter ex = AuditExporter.builder(store, AuditExporterTest.ORIGIN, SiemFormat.CEF, sink).build();
      assertThrows(ExportException.class, ex::exportBatch);
      assertEquals(0, ex.stats().next());
    }
    assertTrue(receiver.messages.isEmpty());
  }

  @Test
  void builderRejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> SyslogTlsSink.builder("h", 0, tls.client).build());
    assertThrows(IllegalArgumentException.class, () -> SyslogTlsSink.builder("h", 514, tls.client).facility(24).build());
    assertThrows(IllegalArgumentException.class, () -> SyslogTlsSink.builder("h", 514, tls.client).hostname("a b").build());
  }

  private void awaitMessages(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (receiver.messages.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(n, receiver.messages.size());
  }

  private void awaitDistinct(int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Set<String> ids = new LinkedHashSet<>();
    while (System.nanoTime() < deadline) {
      ids.clear();
      synchronized (receiver.messages) {
        for (String m : receiver.messages) {
          ids.add(m.substring(m.indexOf(" - {") + 3).replaceAll("(?s).*?\"(?:uid|id)\":\"([0-9a-f-]{36})\".*", "$1"));
        }
      }
      if (ids.size() >= n) {
        break;
      }
      Thread.sleep(5);
    }
    assertEquals(n, ids.size(), "every event arrived at least once");
  }

  @SuppressWarnings("unused")
  private static String dump(List<String> l) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    l.forEach(s -> b.writeBytes((s + "\n").getBytes(StandardCharsets.UTF_8)));
    return b.toString(StandardCharsets.UTF_8);
  }
}
