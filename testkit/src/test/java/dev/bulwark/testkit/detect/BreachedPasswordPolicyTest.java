package dev.bulwark.testkit.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.bulwark.authn.password.PasswordPolicy;
import dev.bulwark.authn.password.PasswordPolicy.BreachVerdict;
import dev.bulwark.authn.password.PasswordPolicy.Result;
import dev.bulwark.authn.password.PasswordPolicy.Violation;
import dev.bulwark.authn.password.spi.BreachedPasswordSource;
import dev.bulwark.detect.RangeApiClient;
import dev.bulwark.detect.RangeIndex;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * authn's password policy over detect's breach stores, joined the way a host joins them: one
 * method reference each (authn and detect do not depend on each other).
 */
class BreachedPasswordPolicyTest {

  private static final String BREACHED = "correct horse battery staple";

  private static String sha1(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)))
        .toUpperCase(java.util.Locale.ROOT);
  }

  /** A range file for the prefix of {@code password}: its suffix with {@code count}, and a padding line. */
  private static String range(String password, long count) throws Exception {
    return sha1(password).substring(5) + ":" + count + "\r\n" + "0".repeat(35) + ":0\r\n";
  }

  @Test
  void offlineIndex_isTheSourceByAMethodReference(@TempDir Path dir) throws Exception {
    Path ranges = Files.createDirectories(dir.resolve("ranges"));
    Files.writeString(ranges.resolve(sha1(BREACHED).substring(0, 5) + ".txt"), range(BREACHED, 3_645_804));
    RangeIndex.build(ranges, dir.resolve("pwned.idx"));
    try (RangeIndex index = RangeIndex.open(dir.resolve("pwned.idx"))) {
      BreachedPasswordSource source = index::timesSeen;
      PasswordPolicy policy = PasswordPolicy.nist().withBreachedPasswords(source, 10);
      Result r = policy.check(BREACHED, false);
      assertEquals(List.of(Violation.BREACHED), r.violations());
      assertEquals(3_645_804L, r.timesSeen());
      assertTrue(policy.check("a long passphrase nobody has used", false).accepted());
    }
  }

  @Test
  void rangeApi_isTheSourceByAMethodReference_andItsOutageIsUndecided() throws Exception {
    AtomicInteger status = new AtomicInteger(200);
    String body = range(BREACHED, 42);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/range/", ex -> {
      byte[] out = body.getBytes(StandardCharsets.US_ASCII);
      ex.sendResponseHeaders(status.get(), out.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(out);
      }
    });
    server.start();
    try {
      RangeApiClient api = RangeApiClient.builder(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
          + "/range/")).timeout(Duration.ofSeconds(10)).build();
      PasswordPolicy policy = PasswordPolicy.nist().withBreachedPasswords(api::timesSeen, 10);
      assertEquals(BreachVerdict.BREACHED, policy.check(BREACHED, false).breach());
      assertEquals(BreachVerdict.NOT_BREACHED, PasswordPolicy.nist().withBreachedPasswords(api::timesSeen, 43)
          .check(BREACHED, false).breach(), "42 is under a threshold of 43");
      status.set(503);
      Result down = policy.check(BREACHED, false);
      assertFalse(down.accepted());
      assertFalse(down.decided());
      assertEquals(BreachVerdict.UNDECIDED, down.breach());
      assertEquals(List.of(Violation.BREACH_CHECK_FAILED), policy
          .onBreachSourceFailure(PasswordPolicy.OnSourceFailure.REFUSE).check(BREACHED, false).violations());
    } finally {
      server.stop(0);
    }
  }
}
