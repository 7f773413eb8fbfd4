package dev.bulwark.testing.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hostile server's answer for tests of read limits: status 200, chunked with no length, the
 * same text repeated until the client hangs up (or 16 GiB, whichever comes first). {@link #sent()}
 * tells how much went out, so a test can check the client stopped near its limit instead of
 * reading everything before checking the size.
 *
 * <pre>{@code
 * // Given: com.sun.net.httpserver.HttpServer server
 * EndlessAnswer endless = new EndlessAnswer("application/json", " ");
 * server.createContext("/jwks", endless);
 * // ... the client under test refuses the answer ...
 * if (endless.sent() >= (1L << 30)) {
 *   throw new AssertionError("the client read " + endless.sent() + " bytes");
 * }
 * }</pre>
 */
public final class EndlessAnswer implements HttpHandler {

  private static final long MOST = 1L << 34;

  private final String contentType;
  /** Whole units only, so the answer repeats the unit without a break. */
  private final byte[] chunk;
  private final AtomicLong sent = new AtomicLong();

  /**
   * @param contentType the {@code Content-Type} header, or null for none
   * @param unit text repeated to fill the answer (ASCII, at most 1 KiB)
   */
  public EndlessAnswer(String contentType, String unit) {
    byte[] u = unit.getBytes(StandardCharsets.US_ASCII);
    if (u.length == 0 || u.length > 1024) {
      throw new IllegalArgumentException("unit must be 1 to 1024 bytes");
    }
    this.contentType = contentType;
    this.chunk = new byte[(64 * 1024 / u.length) * u.length];
    for (int i = 0; i < chunk.length; i++) {
      chunk[i] = u[i % u.length];
    }
  }

  /** Bytes sent so far, over every request. */
  public long sent() {
    return sent.get();
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    if (contentType != null) {
      ex.getResponseHeaders().set("Content-Type", contentType);
    }
    ex.sendResponseHeaders(200, 0);
    try (OutputStream o = ex.getResponseBody()) {
      while (sent.get() < MOST) {
        o.write(chunk);
        sent.addAndGet(chunk.length);
      }
    } catch (IOException clientHungUp) {
      // Expected: the client under test stopped reading at its limit.
    }
  }
}
