package dev.bulwark.audit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.InMemoryAuditStore;
import dev.bulwark.audit.LoggedEvent;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OtlpLogsSink} against {@link OtlpReceiver}, an in-process OTLP/HTTP receiver that decodes
 * every request with the official OTLP protobuf classes (no OpenTelemetry Collector is installable
 * on the build machines; see audit/README.md). Outages, dropped connections, garbage, error codes,
 * 429 with Retry-After and partial success: the cursor never passes an event the receiver did not
 * take, and a re-sent event is the same record with the same event id.
 */
class OtlpLogsSinkTest {

  private static final String ORIGIN = AuditExporterTest.ORIGIN;
  private final AuditExporterTest logs = new AuditExporterTest();

  private static Map<String, AnyValue> attributes(List<KeyValue> kvs) {
    Map<String, AnyValue> m = new HashMap<>();
    for (KeyValue kv : kvs) {
      m.put(kv.getKey(), kv.getValue());
    }
    return m;
  }

  private static List<LogRecord> records(OtlpReceiver r) {
    List<LogRecord> out = new ArrayList<>();
    for (OtlpReceiver.Received x : r.received) {
      for (ResourceLogs rl : x.request().getResourceLogsList()) {
        for (ScopeLogs sl : rl.getScopeLogsList()) {
          out.addAll(sl.getLogRecordsList());
        }
      }
    }
    return out;
  }

  private InMemoryAuditStore store(int events) throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    try (AuditLog log = logs.log(store)) {
      AuditExporterTest.appendLogins(log, events, 0);
      log.checkpoint();
      AuditExporterTest.waitForCheckpoints(store, events);
    }
    return store;
  }

  /** Every event exactly once, as OCSF lines, to compare the bodies with. */
  private static List<ExportSink.Line> expected(InMemoryAuditStore store) throws Exception {
    AuditExporterTest.RecordingSink all = new AuditExporterTest.RecordingSink();
    AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF, all).build().exportAvailable();
    return all.lines;
  }

  /** Every seq 0..n-1 arrived, and every copy of an event is the same record (same id, same body). */
  private static void assertAllOnce_duplicatesIdentical(OtlpReceiver r, List<ExportSink.Line> expected) {
    Map<Long, LogRecord> first = new HashMap<>();
    for (LogRecord lr : records(r)) {
      long seq = attributes(lr.getAttributesList()).get("bulwark.audit.seq").getIntValue();
      LogRecord before = first.putIfAbsent(seq, lr);
      if (before != null) {
        assertEquals(before, lr, "a re-sent event is the same record");
      }
    }
    assertEquals(expected.size(), first.size(), "every event arrived: " + new TreeSet<>(first.keySet()));
    for (ExportSink.Line l : expected) {
      LogRecord lr = first.get(l.event().seq());
      assertNotNull(lr, "event " + l.event().seq());
      assertEquals(l.text(), lr.getBody().getStringValue());
      assertEquals(l.event().logged().event().eventId().toString(),
          attributes(lr.getAttributesList()).get("bulwark.audit.event_id").getStringValue());
    }
  }

  @Test
  void everyEventIsAnOtlpLogRecord_asTheOfficialClassesDecodeIt() throws Exception {
    InMemoryAuditStore store = store(25);
    List<ExportSink.Line> expected = expected(store);
    try (OtlpReceiver r = new OtlpReceiver()) {
      OtlpLogsSink sink = OtlpLogsSink.builder(URI.create("http://127.0.0.1:" + r.port())).serviceName("portal")
          .header("Authorization", "Bearer s3cret-token").build();
      assertEquals(25, AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF, sink).batchSize(7).build()
          .exportAvailable());
      assertEquals(4, r.received.size());
      for (OtlpReceiver.Received x : r.received) {
        assertEquals("/v1/logs", x.path());
        assertEquals("application/x-protobuf", x.headers().get("content-type"));
        assertEquals("Bearer s3cret-token", x.headers().get("authorization"));
        ResourceLogs rl = x.request().getResourceLogs(0);
        Map<String, AnyValue> res = attributes(rl.getResource().getAttributesList());
        assertEquals("portal", res.get("service.name").getStringValue());
        assertEquals(ORIGIN, res.get("bulwark.audit.origin").getStringValue());
        assertEquals("dev.bulwark.audit", rl.getScopeLogs(0).getScope().getName());
        assertEquals(SiemFormat.MAPPING_VERSION, rl.getScopeLogs(0).getScope().getVersion());
      }
      List<LogRecord> got = records(r);
      assertEquals(25, got.size());
      for (int i = 0; i < got.size(); i++) {
        LogRecord lr = got.get(i);
        LoggedEvent le = expected.get(i).event().logged();
        Instant at = le.event().occurredAt();
        assertEquals(at.getEpochSecond() * 1_000_000_000L + at.getNano(), lr.getTimeUnixNano());
        Instant rec = le.recordedAt();
        assertEquals(rec.getEpochSecond() * 1_000_000_000L + rec.getNano(), lr.getObservedTimeUnixNano());
        assertEquals(switch (le.event().severity()) {
          case INFO -> 9;
          case WARN -> 13;
          case CRITICAL -> 17;
        }, lr.getSeverityNumberValue());
        assertEquals(le.event().severity().name(), lr.getSeverityText());
        assertEquals(le.event().action().name(), lr.getEventName());
        assertEquals(i, attributes(lr.getAttributesList()).get("bulwark.audit.seq").getIntValue());
      }
      assertAllOnce_duplicatesIdentical(r, expected);
      assertFalse(sink.toString().contains("s3cret"), sink.toString());
    }
  }

  @Test
  void receiverOutage_resumesFromTheDurableCursor_duplicatesCarryTheSameEventId(@TempDir Path dir) throws Exception {
    InMemoryAuditStore store = store(40);
    List<ExportSink.Line> expected = expected(store);
    Path cursorFile = dir.resolve("otlp.cursor");
    try (OtlpReceiver r = new OtlpReceiver()) {
      URI uri = URI.create("http://127.0.0.1:" + r.port() + "/");
      AuditExporter first = AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF,
          OtlpLogsSink.builder(uri).timeout(Duration.ofSeconds(5)).build())
          .cursor(FileExportCursor.open(cursorFile, ORIGIN, 0)).batchSize(8).build();
      assertEquals(8, first.exportBatch());
      // The receiver reads and decodes the second batch, then goes down before answering.
      r.script.add(OtlpReceiver.Answer.hangUp());
      assertThrows(ExportException.class, first::exportBatch);
      r.stop();
      for (int i = 0; i < 3; i++) {
        ExportException down = assertThrows(ExportException.class, first::exportBatch);
        assertTrue(down.getMessage().contains("did not answer"), down.getMessage());
      }
      assertEquals(8, FileExportCursor.open(cursorFile, ORIGIN, 0).next(), "the cursor stays at the last answered batch");
      // The process restarts; the receiver is back.
      r.restart();
      AuditExporter again = AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF, OtlpLogsSink.builder(uri).build())
          .cursor(FileExportCursor.open(cursorFile, ORIGIN, 0)).batchSize(8).build();
      assertEquals(32, again.exportAvailable());
      assertEquals(40, FileExportCursor.open(cursorFile, ORIGIN, 0).next());
      assertEquals(48, records(r).size(), "events 8..15 arrived twice");
      assertAllOnce_duplicatesIdentical(r, expected);
    }
  }

  @Test
  void garbageErrorsAndPartialSuccess_areFailures_andNothingIsLost() throws Exception {
    InMemoryAuditStore store = store(30);
    List<ExportSink.Line> expected = expected(store);
    try (OtlpReceiver r = new OtlpReceiver()) {
      ByteArrayOutputStream status = new ByteArrayOutputStream();
      CodedOutputStream cos = CodedOutputStream.newInstance(status);
      cos.writeInt32(1, 3); // google.rpc.Status.code = INVALID_ARGUMENT
      cos.writeString(2, "log record too large\r\ninjected: header");
      cos.flush();
      r.script.add(OtlpReceiver.Answer.status(200, Map.of("Content-Type", "text/html"),
          "<html>proxy says hello</html>".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      r.script.add(OtlpReceiver.Answer.status(400, Map.of("Content-Type", "application/x-protobuf"), status.toByteArray()));
      r.script.add(OtlpReceiver.Answer.status(500, Map.of(), new byte[] {(byte) 0xff, 0x01, 0x02}));
      r.script.add(OtlpReceiver.Answer.rejected(2, "quota exceeded"));
      r.script.add(OtlpReceiver.Answer.status(302, Map.of("Location", "http://elsewhere.invalid/"), new byte[0]));
      r.script.add(OtlpReceiver.Answer.status(200, Map.of("Content-Type", "application/x-protobuf"),
          new byte[70_000]));
      AuditExporter ex = AuditExporter.builder(store, ORIGIN, SiemFormat.OCSF,
          OtlpLogsSink.builder(URI.create("http://127.0.0.1:" + r.port())).build()).batchSize(10).build();
      List<String> errors = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        errors.add(assertThrows(ExportException.class, ex::exportBatch).getMessage());
        assertEquals(0, ex.stats().next(), "nothing committed after " + errors.get(i));
      }
      assertTrue(errors.get(0).contains("not an OTLP logs response"), errors.get(0));
      assertTrue(errors.get(1).contains("answered 400: log record too large??injected: header"), errors.get(1));
      assertTrue(errors.get(2).contains("answered 500 (the body is not a status message)"), errors.get(2));
      assertTrue(errors.get(3).contains("rejected 2 of 10 log records: quota exceeded"), errors.get(3));
      assertTrue(errors.get(4).contains("answered 302"), errors.get(4));
      assertTrue(errors.get(5).contains("answered 200 with more than 65536 bytes"), errors.get(5));
      assertEquals(30, ex.exportAvailable());
      assertEquals(30, ex.stats().next());
      assertEquals(90, records(r).size(), "six refused attempts of the first batch, then the three batches");
      assertAllOnce_duplicatesIdentical(r, expected);
    }
  }

  @Test
  void tooManyRequests_waitsForRetryAfter_secondsOrDate_capped() throws Exception {
    InMemoryAuditStore store = store(10);
    Instant now = Instant.parse("2026-12-07T10:00:00Z");
    try (OtlpReceiver r = new OtlpReceiver()) {
      List<Duration> slept = new ArrayList<>();
      AtomicReference<Instant> clock = new AtomicReference<>(now);
      OtlpLogsSink sink = OtlpLogsSink.builder(URI.create("http://127.0.0.1:" + r.port()))
          .clock(clock::get).maxRetryAfter(Duration.ofMinutes(2)).sleeper(slept::add).build();
      String inThirty = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(30).atOffset(ZoneOffset.UTC));
      r.script.add(OtlpReceiver.Answer.status(429, Map.of("Retry-After", "7"), new byte[0]));
      r.script.add(OtlpReceiver.Answer.status(503, Map.of("Retry-After", inThirty), new byte[0]));
      r.script.add(OtlpReceiver.Answer.status(429, Map.of("Retry-After", "86400"), new byte[0]));
      r.script.add(OtlpReceiver.Answer.status(502, Map.of(), new byte[0]));
      AuditExporter ex = AuditExporter.builder(store, ORIGIN, SiemFormat.ECS, sink).build();
      String first = assertThrows(ExportException.class, ex::exportBatch).getMessage();
      assertTrue(first.contains("answered 429 (retry after 7 s)"), first);
      assertThrows(ExportException.class, ex::exportBatch);
      assertThrows(ExportException.class, ex::exportBatch);
      assertThrows(ExportException.class, ex::exportBatch);
      assertEquals(10, ex.exportBatch());
      // Waited 7 s before the second request, 30 s before the third, the 2-minute cap before the fourth,
      // nothing after the 502 without Retry-After (the exporter's own backoff applies).
      assertEquals(List.of(Duration.ofSeconds(7), Duration.ofSeconds(30), Duration.ofMinutes(2)), slept);
      assertEquals(5, r.received.size());
    }
  }

  @Test
  void builder_refusesEndpointsWithSecretsOrOtherSchemes_andHeaderInjection() {
    assertThrows(IllegalArgumentException.class, () -> OtlpLogsSink.builder(URI.create("ftp://h/")));
    assertThrows(IllegalArgumentException.class, () -> OtlpLogsSink.builder(URI.create("http://u:p@h:4318/")));
    assertThrows(IllegalArgumentException.class, () -> OtlpLogsSink.builder(URI.create("http://h:4318/?k=secret")));
    OtlpLogsSink.Builder b = OtlpLogsSink.builder(URI.create("https://collector.example:4318"));
    assertThrows(IllegalArgumentException.class, () -> b.header("X-Key", "a\r\nX-Evil: 1"));
    assertThrows(IllegalArgumentException.class, () -> b.header("Bad Name", "v"));
    assertThrows(IllegalArgumentException.class, () -> b.header("Content-Type", "application/json"));
    assertEquals("OtlpLogsSink[https://collector.example:4318/v1/logs]", b.header("X-Key", "k3y").build().toString());
    assertEquals("OtlpLogsSink[http://h:4318/custom/v1/logs]",
        OtlpLogsSink.builder(URI.create("http://h:4318/custom/v1/logs")).build().toString());
  }

  @Test
  void protobufReader_refusesTruncatedAndOverlongInput() {
    byte[][] bad = {{0x0a, 0x05, 0x01}, {(byte) 0x80, (byte) 0x80}, {0x0f}, {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, 0x0f}, {0x00}};
    for (byte[] b : bad) {
      assertThrows(IOException.class, () -> {
        Protobuf.Reader r = new Protobuf.Reader(b, 0, b.length);
        for (int f; (f = r.next()) != -1; ) {
          r.skip();
        }
      });
    }
    ByteString ok = ByteString.copyFrom(new byte[] {0x0a, 0x02, 0x08, 0x05});
    assertTrue(ok.size() == 4);
  }

  @Test
  void emptyBatch_sendsNothing() throws Exception {
    try (OtlpReceiver r = new OtlpReceiver()) {
      assertTrue(OtlpLogsSink.builder(URI.create("http://127.0.0.1:" + r.port())).build().deliver(List.of()));
      assertEquals(0, r.received.size());
    }
  }
}
