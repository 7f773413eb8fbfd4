package dev.bulwark.testing.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EndlessAnswerTest {

  @Test
  void answersTheUnitOverAndOver_untilTheClientHangsUp() throws Exception {
    EndlessAnswer endless = new EndlessAnswer("text/plain", "abc");
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/e", endless);
    server.start();
    try {
      HttpResponse<InputStream> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/e")).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, r.statusCode());
      assertEquals("text/plain", r.headers().firstValue("Content-Type").orElseThrow());
      byte[] first;
      try (InputStream in = r.body()) {
        first = in.readNBytes(3 * 100_000);
      }
      assertEquals(300_000, first.length);
      assertTrue("abc".repeat(100_000).equals(new String(first, StandardCharsets.US_ASCII)), "the unit repeats without a break");
    } finally {
      server.stop(0);
    }
    assertTrue(endless.sent() >= 300_000 && endless.sent() < (1L << 30), "sent " + endless.sent());
  }

  @Test
  void aUnitMustBeShortAndNotEmpty() {
    assertThrows(IllegalArgumentException.class, () -> new EndlessAnswer(null, ""));
    assertThrows(IllegalArgumentException.class, () -> new EndlessAnswer(null, "x".repeat(1025)));
  }
}
