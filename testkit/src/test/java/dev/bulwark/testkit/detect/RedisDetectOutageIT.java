package dev.bulwark.testkit.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.detect.ActivityEvent;
import dev.bulwark.detect.Assessment;
import dev.bulwark.detect.Detection;
import dev.bulwark.detect.Detector;
import dev.bulwark.detect.EventKind;
import dev.bulwark.detect.Response;
import dev.bulwark.detect.RiskLevel;
import dev.bulwark.detect.redis.RedisDetectState;
import dev.bulwark.testing.redis.RedisServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A redis-server of the test's own is killed while two detectors ("two nodes") use it: every
 * event assessed meanwhile carries a {@code state_unavailable} finding at MEDIUM (step-up under the
 * default policy), reaches the listener and is counted; none is assessed as quiet. When the server
 * is back (empty: no persistence) the detectors resume and again count across both nodes.
 */
class RedisDetectOutageIT {

  @TempDir
  Path dir;

  @Test
  void killedRedis_failsTowardsStepUp_reportsEveryEvent_andResumes() throws Exception {
    try (RedisServer server = RedisServer.start(dir);
        RedisDetectState a = RedisDetectState.builder(URI.create(server.uri())).timeout(Duration.ofMillis(300))
            .reconnectDelay(Duration.ofMillis(50)).build();
        RedisDetectState b = RedisDetectState.builder(URI.create(server.uri())).timeout(Duration.ofMillis(300))
            .reconnectDelay(Duration.ofMillis(50)).build()) {
      List<Assessment> heard = new CopyOnWriteArrayList<>();
      Detector nodeA = Detector.builder().state(a).listener(heard::add).build();
      Detector nodeB = Detector.builder().state(b).listener(heard::add).build();
      Instant t = Instant.parse("2026-03-01T10:00:00Z");
      for (int i = 0; i < 4; i++) {
        assertEquals(RiskLevel.NONE, (i % 2 == 0 ? nodeA : nodeB).assess(failure(t.plusSeconds(i))).level());
      }
      server.kill();
      int during = 20;
      for (int i = 0; i < during; i++) {
        Assessment x = (i % 2 == 0 ? nodeA : nodeB).assess(failure(t.plusSeconds(10 + i)));
        assertEquals(RiskLevel.MEDIUM, x.level(), x.findings().toString());
        assertEquals(Response.STEP_UP, x.response());
        assertEquals("state_unavailable", x.findings().get(0).code());
        assertTrue(x.flags(Detection.DETECTOR_ERROR));
      }
      assertEquals(during, nodeA.stateFailures() + nodeB.stateFailures());
      assertEquals(during, heard.size());
      server.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      boolean resumed;
      int i = 0;
      do {
        Thread.sleep(50);
        RiskLevel onA = nodeA.assess(ActivityEvent.of(t.plusSeconds(100 + i++), EventKind.SIGNUP, null, "192.0.2.200"))
            .level();
        RiskLevel onB = nodeB.assess(ActivityEvent.of(t.plusSeconds(100 + i++), EventKind.SIGNUP, null, "192.0.2.201"))
            .level();
        resumed = onA == RiskLevel.NONE && onB == RiskLevel.NONE;
      } while (!resumed && System.nanoTime() < deadline);
      assertTrue(resumed, "both nodes resumed");
      long failuresBefore = nodeA.stateFailures() + nodeB.stateFailures();
      // The restarted server is empty: the account starts over, and both nodes count together again.
      Assessment last = null;
      for (int j = 0; j < 5; j++) {
        last = (j % 2 == 0 ? nodeA : nodeB).assess(failure(t.plusSeconds(200 + j)));
      }
      assertEquals(RiskLevel.MEDIUM, last.level());
      assertEquals("account_failure_velocity", last.findings().get(0).code());
      assertEquals(failuresBefore, nodeA.stateFailures() + nodeB.stateFailures());
    }
  }

  private static ActivityEvent failure(Instant at) {
    return ActivityEvent.login(at, false, "frank", "192.0.2.7", "curl/8", null, null);
  }
}
