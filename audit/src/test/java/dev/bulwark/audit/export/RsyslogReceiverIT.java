package dev.bulwark.audit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.InMemoryAuditStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The syslog sink against a real RFC 5425 receiver: Debian's rsyslogd with the gtls (GnuTLS)
 * network stream driver, started here on a free loopback port with a certificate made by the
 * test, its configuration, work directory and output in a temporary directory (no system file is
 * read or touched). {@code .ci/run} installs {@code rsyslog} and {@code rsyslog-gnutls}.
 */
class RsyslogReceiverIT {

  @TempDir
  Path dir;
  Process rsyslogd;

  @AfterEach
  void stop() throws Exception {
    if (rsyslogd != null) {
      rsyslogd.destroy();
      rsyslogd.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private int start(TestTls tls, int port) throws Exception {
    Path conf = dir.resolve("rsyslog.conf");
    Files.createDirectories(dir.resolve("work"));
    Files.writeString(conf, String.join("\n",
        "global(workDirectory=\"" + dir.resolve("work") + "\" maxMessageSize=\"64k\"",
        "  DefaultNetstreamDriver=\"gtls\"",
        "  DefaultNetstreamDriverCAFile=\"" + tls.certPem + "\"",
        "  DefaultNetstreamDriverCertFile=\"" + tls.certPem + "\"",
        "  DefaultNetstreamDriverKeyFile=\"" + tls.keyPem + "\")",
        "module(load=\"imtcp\" StreamDriver.Name=\"gtls\" StreamDriver.Mode=\"1\" StreamDriver.AuthMode=\"anon\")",
        "input(type=\"imtcp\" port=\"" + port + "\" address=\"127.0.0.1\")",
        "template(name=\"msgonly\" type=\"string\" string=\"%msg%\\n\")",
        "action(type=\"omfile\" file=\"" + dir.resolve("received.log") + "\" template=\"msgonly\")",
        ""), StandardCharsets.UTF_8);
    rsyslogd = new ProcessBuilder("rsyslogd", "-n", "-f", conf.toString(), "-i", dir.resolve("rsyslogd.pid").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("rsyslogd.out").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!rsyslogd.isAlive()) {
        throw new AssertionError("rsyslogd exited: " + Files.readString(dir.resolve("rsyslogd.out")));
      }
      try {
        new Socket(InetAddress.getLoopbackAddress(), port).close();
        return port;
      } catch (IOException e) {
        Thread.sleep(20);
      }
    }
    throw new AssertionError("rsyslogd did not listen on " + port);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private Set<String> receivedIds(int expected) throws Exception {
    Path out = dir.resolve("received.log");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Set<String> ids = new HashSet<>();
    while (System.nanoTime() < deadline) {
      ids.clear();
      if (Files.exists(out)) {
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        for (String l : lines) {
          if (!l.isBlank()) {
            ids.add(SiemFormatGoldenTest.string(l.strip(), "metadata.uid"));
          }
        }
      }
      if (ids.size() >= expected) {
        return ids;
      }
      Thread.sleep(20);
    }
    return ids;
  }

  @Test
  void rsyslogReceivesEveryEvent_andTheCopyVerifiesOffline() throws Exception {
    TestTls tls = TestTls.create(dir);
    int port = start(tls, freePort());
    InMemoryAuditStore store = SyslogTlsSinkTest.storeWith(300);
    try (SyslogTlsSink sink = SyslogTlsSink.builder("127.0.0.1", port, tls.client).hostname("app-1").build()) {
      AuditExporter ex = AuditExporter.builder(store, AuditExporterTest.ORIGIN, SiemFormat.OCSF, sink).batchSize(64).build();
      assertEquals(300, ex.exportAvailable());
      assertEquals(300, ex.stats().next());
    }
    assertEquals(300, receivedIds(300).size());
    String first = Files.readAllLines(dir.resolve("received.log"), StandardCharsets.UTF_8).get(0).strip();
    String proof = SiemFormatGoldenTest.string(first, "bulwark.proof");
    assertTrue(proof != null && proof.startsWith("c2sp.org/tlog-proof@v1"), first);
  }

  @Test
  void receiverOutage_exportResumesFromTheCursor_nothingLost() throws Exception {
    TestTls tls = TestTls.create(dir);
    int port = start(tls, freePort());
    InMemoryAuditStore store = SyslogTlsSinkTest.storeWith(200);
    try (SyslogTlsSink sink = SyslogTlsSink.builder("127.0.0.1", port, tls.client).hostname("app-1")
        .connectTimeout(java.time.Duration.ofSeconds(2)).build()) {
      AuditExporter ex = AuditExporter.builder(store, AuditExporterTest.ORIGIN, SiemFormat.OCSF, sink)
          .batchSize(50).confirmEvery(50).build();
      assertEquals(50, ex.exportBatch());
      rsyslogd.destroy(); // the receiver goes away with a batch written but unconfirmed
      rsyslogd.waitFor(30, TimeUnit.SECONDS);
      int failures = 0;
      for (int i = 0; i < 3; i++) {
        try {
          ex.exportBatch();
        } catch (ExportException e) {
          failures++;
        }
      }
      assertTrue(failures >= 1, "the outage failed the export");
      long stalled = ex.stats().next();
      assertTrue(stalled <= 100, "nothing past what the receiver confirmed is committed: " + stalled);
      start(tls, port);
      ex.exportAvailable();
      assertEquals(200, ex.stats().next());
    }
    assertEquals(200, receivedIds(200).size());
  }
}
