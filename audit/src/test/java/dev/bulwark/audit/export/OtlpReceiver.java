package dev.bulwark.audit.export;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OTLP/HTTP logs receiver for tests: a small HTTP/1.1 server on a loopback port that decodes
 * each {@code POST /v1/logs} body with the official OTLP protobuf classes
 * ({@code io.opentelemetry.proto:opentelemetry-proto}) and answers as scripted: by default 200
 * with an empty {@code ExportLogsServiceResponse}; scripted answers can be errors, garbage, a
 * partial success, or a dropped connection (after the request was read and decoded, as a receiver
 * that crashed before answering).
 */
final class OtlpReceiver implements AutoCloseable {

  /** One scripted answer. */
  record Answer(int status, Map<String, String> headers, byte[] body, boolean drop) {
    static Answer ok() {
      return new Answer(200, Map.of("Content-Type", "application/x-protobuf"),
          ExportLogsServiceResponse.getDefaultInstance().toByteArray(), false);
    }

    static Answer status(int status, Map<String, String> headers, byte[] body) {
      return new Answer(status, headers, body, false);
    }

    static Answer hangUp() {
      return new Answer(0, Map.of(), new byte[0], true);
    }

    static Answer rejected(long n, String message) {
      return new Answer(200, Map.of("Content-Type", "application/x-protobuf"), ExportLogsServiceResponse.newBuilder()
          .setPartialSuccess(ExportLogsPartialSuccess.newBuilder().setRejectedLogRecords(n).setErrorMessage(message))
          .build().toByteArray(), false);
    }
  }

  /** A request as received: its headers (lower-case names) and the decoded body. */
  record Received(String path, Map<String, String> headers, ExportLogsServiceRequest request) {}

  final List<Received> received = new CopyOnWriteArrayList<>();
  final ConcurrentLinkedDeque<Answer> script = new ConcurrentLinkedDeque<>();
  private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
  private final ServerSocket server;
  private final int port;
  private volatile boolean down;

  OtlpReceiver() throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.server = s;
    this.port = s.getLocalPort();
    Thread t = new Thread(() -> accept(s), "otlp-receiver");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return port;
  }

  /**
   * An outage: every open connection is dropped and every new one is closed at once, unread. The
   * port stays bound (so nothing else on the machine can take it while the receiver is "down").
   */
  void stop() throws IOException {
    down = true;
    synchronized (open) {
      for (Socket c : open) {
        c.close();
      }
      open.clear();
    }
  }

  /** Back from the outage, keeping what was received and the script. */
  void restart() {
    down = false;
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket c = s.accept();
        if (down) {
          c.close();
          continue;
        }
        open.add(c);
        Thread t = new Thread(() -> serve(c), "otlp-receiver-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket c) {
    try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        String[] lines = head.split("\r\n");
        String path = lines[0].split(" ")[1];
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
          int colon = lines[i].indexOf(':');
          headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
        received.add(new Received(path, headers, ExportLogsServiceRequest.parseFrom(body)));
        Answer a = script.pollFirst();
        if (a == null) {
          a = Answer.ok();
        }
        if (a.drop()) {
          return;
        }
        StringBuilder h = new StringBuilder("HTTP/1.1 " + a.status() + " X\r\nContent-Length: " + a.body().length + "\r\n");
        a.headers().forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
        out.write(h.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.write(a.body());
        out.flush();
      }
    } catch (IOException e) {
      // the client went away or the receiver stopped
    } finally {
      open.remove(c);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int state = 0;
    for (int x; (x = in.read()) != -1; ) {
      b.write(x);
      state = (x == '\r' && (state == 0 || state == 2)) ? state + 1 : (x == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
      if (state == 4) {
        String s = b.toString(StandardCharsets.US_ASCII);
        return s.substring(0, s.length() - 4);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    stop();
    server.close();
  }
}
