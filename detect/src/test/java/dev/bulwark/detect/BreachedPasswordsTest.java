package dev.bulwark.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BreachedPasswordsTest {

  // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8
  static final String PASSWORD_SUFFIX = "1E4C9B93F3F0682250B6CF8331B7EE68FD8";

  @TempDir
  Path dir;

  @Test
  void sha1_ofUtf8() {
    assertEquals("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8", hex(BreachedPasswords.sha1("password".toCharArray())));
  }

  @Test
  void index_findsCountsFromRangeFiles_andNothingElse() throws IOException {
    Path ranges = Files.createDirectories(dir.resolve("ranges"));
    Files.writeString(ranges.resolve("5BAA6.txt"), "0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n"
        + PASSWORD_SUFFIX + ":10434004\r\n00D4F6E8FA6EECAD2A3AA415EEC418D38EC:0\r\n");
    Files.writeString(ranges.resolve("00000.txt"), "0005AD76BD555C1D6D771DE417A4B87E4B4:10\n");
    Path idx = dir.resolve("pwned.idx");
    assertEquals(3, RangeIndex.build(ranges, idx), "the padding line (count 0) is not indexed");
    try (RangeIndex index = RangeIndex.open(idx)) {
      assertEquals(10_434_004, index.timesSeen(BreachedPasswords.sha1("password".toCharArray())));
      assertTrue(index.isBreached("password".toCharArray(), 100));
      assertFalse(index.isBreached("correct horse battery staple 7".toCharArray(), 1));
      assertEquals(10, index.timesSeen(unhex("00000" + "0005AD76BD555C1D6D771DE417A4B87E4B4")));
      assertEquals(0, index.timesSeen(unhex("5BAA6" + "00D4F6E8FA6EECAD2A3AA415EEC418D38EC")));
    }
  }

  @Test
  void malformedRangeFile_isRefused_andTheExistingIndexStaysAsItWas() throws IOException {
    Path ranges = Files.createDirectories(dir.resolve("ranges"));
    Files.writeString(ranges.resolve("5BAA6.txt"), PASSWORD_SUFFIX + ":3\n");
    Path idx = dir.resolve("pwned.idx");
    RangeIndex.build(ranges, idx);
    byte[] before = Files.readAllBytes(idx);
    for (String bad : new String[] {"XYZ:1\n", PASSWORD_SUFFIX + ":-1\n", PASSWORD_SUFFIX + ":many\n",
        PASSWORD_SUFFIX.replace('E', 'G') + ":1\n", PASSWORD_SUFFIX + ":1\n" + PASSWORD_SUFFIX + ":2\n"}) {
      Files.writeString(ranges.resolve("5BAA6.txt"), bad);
      RangeFormatException e = assertThrows(RangeFormatException.class, () -> RangeIndex.build(ranges, idx), bad);
      assertTrue(e.getMessage().contains("5BAA6.txt"), e.getMessage());
      assertArrayEquals(before, Files.readAllBytes(idx));
      assertFalse(Files.exists(dir.resolve("pwned.idx.building")));
    }
  }

  @Test
  void openRefusesWhatIsNotAnIndex() throws IOException {
    Path junk = Files.writeString(dir.resolve("junk"), "hello");
    assertThrows(RangeFormatException.class, () -> RangeIndex.open(junk));
    Path ranges = Files.createDirectories(dir.resolve("ranges"));
    Files.writeString(ranges.resolve("5BAA6.txt"), PASSWORD_SUFFIX + ":3\n");
    Path idx = dir.resolve("pwned.idx");
    RangeIndex.build(ranges, idx);
    byte[] b = Files.readAllBytes(idx);
    Files.write(idx, java.util.Arrays.copyOf(b, b.length - 1));
    assertThrows(RangeFormatException.class, () -> RangeIndex.open(idx));
  }

  @Test
  void rangeApi_sendsOnlyThePrefix_asksForPadding_andRejectsBadAnswers() throws Exception {
    AtomicReference<String> path = new AtomicReference<>();
    AtomicReference<String> paddingHeader = new AtomicReference<>();
    AtomicReference<String> body = new AtomicReference<>("0018A45C4D1DEF81644B54AB7F969B88D65:0\r\n"
        + PASSWORD_SUFFIX + ":42\r\n");
    AtomicReference<Integer> status = new AtomicReference<>(200);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/range/", ex -> {
      path.set(ex.getRequestURI().getPath());
      paddingHeader.set(ex.getRequestHeaders().getFirst("Add-Padding"));
      byte[] out = body.get().getBytes(StandardCharsets.US_ASCII);
      ex.sendResponseHeaders(status.get(), out.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(out);
      }
    });
    server.start();
    try {
      RangeApiClient client = RangeApiClient.builder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/range/"))
          .httpClient(HttpClient.newHttpClient()).padding(true).timeout(Duration.ofSeconds(10)).build();
      assertEquals(42, client.timesSeen(BreachedPasswords.sha1("password".toCharArray())));
      assertEquals("/range/5BAA6", path.get());
      assertEquals("true", paddingHeader.get());
      assertEquals(0, client.timesSeen(BreachedPasswords.sha1("not in the answer".toCharArray())));
      body.set("<html>rate limited</html>");
      assertInstanceOf(RangeFormatException.class, assertThrows(DetectStoreException.class,
          () -> client.timesSeen(BreachedPasswords.sha1("password".toCharArray()))).getCause());
      status.set(503);
      assertInstanceOf(IOException.class, assertThrows(DetectStoreException.class,
          () -> client.timesSeen(BreachedPasswords.sha1("password".toCharArray()))).getCause());
    } finally {
      server.stop(0);
    }
  }

  /**
   * A server that answers without end (chunked, no length) is cut off one byte past the 16 MiB
   * limit: a typed refusal, not a heap filled before the size is checked. The test's JVM would
   * otherwise read all of it: the server stops only when the client hangs up.
   */
  @Test
  void rangeApi_answerWithoutEnd_isCutOffAtTheLimit() throws Exception {
    dev.bulwark.testing.http.EndlessAnswer endless = new dev.bulwark.testing.http.EndlessAnswer("text/plain", PASSWORD_SUFFIX + ":1\r\n");
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/range/", endless);
    server.start();
    try {
      RangeApiClient client = RangeApiClient.builder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/range/"))
          .httpClient(HttpClient.newHttpClient()).timeout(Duration.ofSeconds(30)).build();
      DetectStoreException e = assertThrows(DetectStoreException.class,
          () -> client.timesSeen(BreachedPasswords.sha1("password".toCharArray())));
      assertInstanceOf(RangeFormatException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("more than 16 MiB"), e.getCause().getMessage());
    } finally {
      server.stop(0);
    }
    assertTrue(endless.sent() < (1L << 30), "the client read " + endless.sent() + " bytes");
  }

  @Test
  void indexProperties_everyIndexedHashIsFound_withItsCount_othersAreNot() throws IOException {
    long seed = Long.getLong("bulwark.seed", 18L);
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    Path ranges = Files.createDirectories(dir.resolve("ranges"));
    List<byte[]> hashes = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    java.util.Map<String, StringBuilder> files = new java.util.HashMap<>();
    for (int i = 0; i < 3000; i++) {
      byte[] h = new byte[20];
      r.nextBytes(h);
      if (i % 10 == 0 && !hashes.isEmpty()) { // crowd some ranges
        System.arraycopy(hashes.get(0), 0, h, 0, 3);
        h[2] = (byte) ((hashes.get(0)[2] & 0xf0) | (h[2] & 0x0f));
      }
      long c = 1 + r.nextInt(1_000_000);
      String hx = hex(h);
      files.computeIfAbsent(hx.substring(0, 5), k -> new StringBuilder()).append(hx.substring(5)).append(':').append(c).append('\n');
      hashes.add(h);
      counts.add(c);
    }
    for (var e : files.entrySet()) {
      Files.writeString(ranges.resolve(e.getKey() + ".txt"), e.getValue());
    }
    Path idx = dir.resolve("p.idx");
    RangeIndex.build(ranges, idx);
    try (RangeIndex index = RangeIndex.open(idx)) {
      for (int i = 0; i < hashes.size(); i++) {
        assertEquals(counts.get(i), index.timesSeen(hashes.get(i)), "seed " + seed + " case " + i);
        byte[] other = hashes.get(i).clone();
        other[19] ^= 1;
        assertEquals(0, index.timesSeen(other), "seed " + seed + " case " + i + " (neighbour)");
      }
    }
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format(java.util.Locale.ROOT, "%02X", x));
    }
    return sb.toString();
  }

  static byte[] unhex(String s) {
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }
}
