package dev.bulwark.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.detect.internal.Fields;
import dev.bulwark.detect.spi.DetectState;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The detector on a state that fails, and the packing of the records it keeps there. */
class DetectorStateTest {

  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

  /** A state that forwards to an in-memory one until {@code down} is set, then throws. */
  private static DetectState flaky(AtomicBoolean down, RuntimeException failure) {
    InMemoryDetectState real = new InMemoryDetectState(1000);
    return (DetectState) Proxy.newProxyInstance(DetectState.class.getClassLoader(), new Class<?>[] {DetectState.class},
        (proxy, m, args) -> {
          if (m.getDeclaringClass() == Object.class) {
            return m.invoke(real, args);
          }
          if (down.get()) {
            throw failure;
          }
          return m.invoke(real, args);
        });
  }

  @Test
  void stateOutage_isMediumStepUp_reportedAndCounted_neverQuiet() {
    AtomicBoolean down = new AtomicBoolean();
    List<Assessment> heard = new ArrayList<>();
    Detector d = Detector.builder().state(flaky(down, new DetectStoreException("Redis did not answer in time")))
        .listener(heard::add).build();
    assertEquals(RiskLevel.NONE, d.assess(ActivityEvent.login(T, true, "ann", "192.0.2.1", "curl/8", "dev1", "s1"))
        .level());
    down.set(true);
    for (EventKind k : EventKind.values()) {
      Assessment a = d.assess(new ActivityEvent(T.plusSeconds(1), k, "ann", "192.0.2.1", "curl/8", "dev1", "s1"));
      boolean usesState = k != EventKind.MFA_SUCCESS && k != EventKind.MFA_FAILURE;
      assertEquals(usesState ? RiskLevel.MEDIUM : RiskLevel.NONE, a.level(), k.name());
      if (usesState) {
        assertEquals(Response.STEP_UP, a.response());
        assertEquals("state_unavailable", a.findings().get(a.findings().size() - 1).code());
        assertEquals("detection state failed: DetectStoreException", a.findings().get(a.findings().size() - 1).detail());
      }
    }
    assertEquals(5, d.stateFailures());
    assertEquals(5, heard.size());
    down.set(false);
    assertEquals(RiskLevel.NONE, d.assess(ActivityEvent.login(T.plusSeconds(2), true, "ann", "192.0.2.1", "curl/8",
        "dev1", "s1")).level());
  }

  @Test
  void stateFailureLevel_isTheHostsChoice_butNeverNone() {
    AtomicBoolean down = new AtomicBoolean(true);
    Detector d = Detector.builder().state(flaky(down, new IllegalStateException("bug"))).onStateFailure(RiskLevel.HIGH)
        .policy(ResponsePolicy.DEFAULT.with(RiskLevel.HIGH, Response.DENY)).build();
    Assessment a = d.assess(ActivityEvent.login(T, false, "bo", "192.0.2.1", null, null, null));
    assertEquals(RiskLevel.HIGH, a.level());
    assertEquals(Response.DENY, a.response());
    assertThrows(IllegalArgumentException.class, () -> Detector.builder().onStateFailure(RiskLevel.NONE));
  }

  @Test
  void shadowMode_stillReportsTheStateFailure() {
    Detector d = Detector.builder().state(flaky(new AtomicBoolean(true), new DetectStoreException("down")))
        .shadow(true).build();
    Assessment a = d.assess(ActivityEvent.login(T, false, "cy", "192.0.2.1", null, null, null));
    assertEquals(Response.ALLOW, a.response());
    assertEquals(Response.STEP_UP, a.wouldRespond());
    assertTrue(a.flags(Detection.DETECTOR_ERROR));
  }

  @Test
  void unreadableRecords_areStateFailures() {
    InMemoryDetectState s = new InMemoryDetectState(100);
    Detector d = Detector.builder().state(s).build();
    s.put("profile", "dee", "garbage", 1000);
    s.put("session", "s9", "3:abc", 1000);
    Assessment a = d.assess(ActivityEvent.login(T, true, "dee", "192.0.2.1", "curl/8", "dev1", null));
    assertEquals("state_unavailable", a.findings().get(0).code());
    Assessment b = d.assess(new ActivityEvent(T, EventKind.SESSION_USE, "dee", "192.0.2.1", "curl/8", null, "s9"));
    assertEquals("state_unavailable", b.findings().get(0).code());
    assertEquals(2, d.stateFailures());
  }

  @Test
  void fields_roundTripAnyText_andRefuseGarbage() {
    String[] in = {null, "", "a:b", "12:x", "-", "ü{}|,\n", null};
    assertEquals(Arrays.asList(in), Fields.split(Fields.join(in), in.length));
    for (String bad : new String[] {"", "x", "5:abc", "-", "3:abc--", ":", "99999999999:a"}) {
      assertThrows(IllegalArgumentException.class, () -> Fields.split(bad, 2), bad);
    }
  }

  @Test
  void stateRetention_isBounded() {
    assertThrows(IllegalArgumentException.class,
        () -> Detector.builder().stateRetention(java.time.Duration.ofSeconds(59)));
    assertThrows(IllegalArgumentException.class,
        () -> Detector.builder().stateRetention(java.time.Duration.ofDays(3651)));
  }
}
