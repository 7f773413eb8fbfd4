package dev.bulwark.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.detect.spi.LocationResolver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DetectorTest {

  static final Instant T0 = Instant.parse("2026-12-07T08:00:00Z");
  static final String FF = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

  static final Map<String, Location> PLACES = Map.of(
      "198.51.100.10", new Location(52.52, 13.40, 25, "DE", "AS3320"),   // Berlin
      "198.51.100.20", new Location(48.14, 11.58, 25, "DE", "AS3320"),   // Munich, 504 km away
      "192.0.2.120", new Location(48.14, 11.58, 25, "DE", "AS8881"),     // Munich, another network
      "203.0.113.30", new Location(35.68, 139.69, 25, "JP", "AS2516"));  // Tokyo
  static final LocationResolver RESOLVER = ip -> Optional.ofNullable(PLACES.get(ip));

  static ActivityEvent fail(Instant at, String account, String ip) {
    return ActivityEvent.login(at, false, account, ip, FF, null, null);
  }

  static ActivityEvent ok(Instant at, String account, String ip, String device) {
    return ActivityEvent.login(at, true, account, ip, FF, device, null);
  }

  @Test
  void accountVelocity_windowIsExactAtItsEdge() {
    Detector d = Detector.builder().build();
    // Four failures at 0, 1, 2, 3 min; the fifth exactly 15 min after the first: the first has left (t - W, t].
    for (int i = 0; i < 4; i++) {
      assertEquals(RiskLevel.NONE, d.assess(fail(T0.plusSeconds(60L * i), "alice", "192.0.2." + i)).level());
    }
    Assessment edge = d.assess(fail(T0.plusSeconds(900), "alice", "192.0.2.9"));
    assertEquals(RiskLevel.NONE, edge.level(), "the failure at t-15min is outside (t-15min, t]");
    Assessment inside = d.assess(fail(T0.plusSeconds(900).plusMillis(1), "alice", "192.0.2.9"));
    assertEquals(RiskLevel.MEDIUM, inside.level(), inside.findings().toString());
    assertTrue(inside.flags(Detection.BRUTE_FORCE));
    assertEquals(Response.STEP_UP, inside.response(), "step-up, not lockout, by default");
  }

  @Test
  void bruteForce_escalatesToHigh_andFlagsTheEventualSuccess() {
    Detector d = Detector.builder().build();
    Assessment last = null;
    for (int i = 0; i < 20; i++) {
      last = d.assess(fail(T0.plusSeconds(i), "bob", "192.0.2.7"));
    }
    assertEquals(RiskLevel.HIGH, last.level());
    Assessment success = d.assess(ok(T0.plusSeconds(21), "bob", "192.0.2.7", "dev-x"));
    assertTrue(success.flags(Detection.BRUTE_FORCE), "a success after many failures is stepped up");
  }

  @Test
  void spraying_distinctAccountsFromOneSource() {
    Detector d = Detector.builder().build();
    Assessment a = null;
    for (int i = 0; i < 8; i++) {
      a = d.assess(fail(T0.plusSeconds(30L * i), "user-" + i, "192.0.2.66"));
      assertEquals(i == 7, a.flags(Detection.PASSWORD_SPRAYING), "account " + i);
    }
    // Another source is unaffected; the same source an hour after its oldest failure has one fewer.
    assertFalse(d.assess(fail(T0.plusSeconds(300), "user-0", "192.0.2.67")).flags(Detection.PASSWORD_SPRAYING));
    assertFalse(d.assess(fail(T0.plusSeconds(3600 + 30), "user-1", "192.0.2.66")).flags(Detection.PASSWORD_SPRAYING),
        "user-0 (t=0) and user-1's first failure (t=30s) left the window; distinct = 7");
  }

  @Test
  void stuffing_globalSpikeFlagsOnlyClientsNewToTheAccount() {
    Detector d = Detector.builder().thresholds(Thresholds.DEFAULTS.withGlobal(6, 30, 5)).build();
    // Baseline: 10 minutes of 3 failures a minute from users' own networks; each user once succeeded there.
    for (int u = 0; u < 50; u++) {
      d.assess(ok(T0.plusMillis(u), "u" + u, "10.0." + u + ".1", "d" + u));
    }
    Instant t = T0.plusSeconds(60);
    for (int m = 0; m < 10; m++) {
      for (int k = 0; k < 3; k++) {
        int u = (m * 3 + k) % 50;
        assertEquals(RiskLevel.NONE, d.assess(fail(t.plusSeconds(60L * m + 10L * k), "u" + u, "10.0." + u + ".1")).level());
      }
    }
    // Distributed stuffing: 200 sources, one attempt each, within a minute.
    Instant attack = t.plusSeconds(600);
    int flagged = 0;
    for (int i = 0; i < 200; i++) {
      Assessment a = d.assess(fail(attack.plusMillis(250L * i), "u" + (i % 50), "100." + (i / 100) + "." + (i % 100) + ".9"));
      flagged += a.flags(Detection.CREDENTIAL_STUFFING) ? 1 : 0;
    }
    assertTrue(flagged >= 200 - 30, "everything after the first 30 of the minute: " + flagged);
    // A real user failing from their own network during the spike is not flagged.
    assertFalse(d.assess(fail(attack.plusSeconds(51), "u7", "10.0.7.1")).flags(Detection.CREDENTIAL_STUFFING));
  }

  @Test
  void impossibleTravel_withAccuracySlack() {
    Detector d = Detector.builder().resolver(RESOLVER).build();
    assertEquals(RiskLevel.NONE, d.assess(ok(T0, "carol", "198.51.100.10", "phone")).level());
    // Berlin -> Munich (504 km, minus 50 km slack) in 30 min = 908 km/h: flagged.
    Assessment fast = d.assess(ok(T0.plus(Duration.ofMinutes(30)), "carol", "198.51.100.20", "phone"));
    assertTrue(fast.flags(Detection.IMPOSSIBLE_TRAVEL), fast.findings().toString());
    // The same trip in 31 min: 879 km/h, allowed.
    Detector d2 = Detector.builder().resolver(RESOLVER).build();
    d2.assess(ok(T0, "carol", "198.51.100.10", "phone"));
    assertFalse(d2.assess(ok(T0.plus(Duration.ofMinutes(31)), "carol", "198.51.100.20", "phone"))
        .flags(Detection.IMPOSSIBLE_TRAVEL));
    // Berlin -> Tokyo in 3 h.
    assertTrue(d2.assess(ok(T0.plus(Duration.ofHours(3)), "carol", "203.0.113.30", "phone")).flags(Detection.IMPOSSIBLE_TRAVEL));
  }

  @Test
  void newCountryAndDevice_isMedium_newDeviceAloneIsLow_firstLoginIsNothing() {
    Detector d = Detector.builder().resolver(RESOLVER).build();
    assertEquals(RiskLevel.NONE, d.assess(ok(T0, "dave", "198.51.100.10", "laptop")).level());
    assertEquals(RiskLevel.LOW, d.assess(ok(T0.plusSeconds(3600), "dave", "198.51.100.10", "tablet")).level());
    Assessment jp = d.assess(ok(T0.plus(Duration.ofDays(2)), "dave", "203.0.113.30", "burner"));
    assertEquals(RiskLevel.MEDIUM, jp.level(), jp.findings().toString());
  }

  @Test
  void mfaFatigue_fivePushesInTenMinutes() {
    Detector d = Detector.builder().build();
    for (int i = 0; i < 4; i++) {
      assertEquals(RiskLevel.NONE, d.assess(ActivityEvent.of(T0.plusSeconds(120L * i), EventKind.MFA_CHALLENGE, "erin", "192.0.2.1")).level());
    }
    assertTrue(d.assess(ActivityEvent.of(T0.plusSeconds(599), EventKind.MFA_CHALLENGE, "erin", "192.0.2.1")).flags(Detection.MFA_FATIGUE));
    Detector d2 = Detector.builder().build();
    for (int i = 0; i < 4; i++) {
      d2.assess(ActivityEvent.of(T0.plusSeconds(120L * i), EventKind.MFA_CHALLENGE, "erin", "192.0.2.1"));
    }
    assertFalse(d2.assess(ActivityEvent.of(T0.plusSeconds(600), EventKind.MFA_CHALLENGE, "erin", "192.0.2.1"))
        .flags(Detection.MFA_FATIGUE), "the first push (t=0) is outside (t-10min, t]");
  }

  @Test
  void sessionFromAnotherClient_isHigh_networkChangeAloneIsLow() {
    Detector d = Detector.builder().build();
    d.assess(ActivityEvent.login(T0, true, "frank", "192.0.2.10", FF, "laptop", "s-1"));
    assertEquals(RiskLevel.NONE, d.assess(new ActivityEvent(T0.plusSeconds(5), EventKind.SESSION_USE, "frank", "192.0.2.10", FF, null, "s-1")).level());
    assertEquals(RiskLevel.LOW, d.assess(new ActivityEvent(T0.plusSeconds(9), EventKind.SESSION_USE, "frank", "198.51.100.4", FF, null, "s-1")).level());
    Assessment stolen = d.assess(new ActivityEvent(T0.plusSeconds(10), EventKind.SESSION_USE, "frank", "203.0.113.9", "python-requests/2.32", null, "s-1"));
    assertEquals(RiskLevel.HIGH, stolen.level());
    assertTrue(stolen.flags(Detection.SESSION_THEFT));
  }

  @Test
  void signupBurst_perSource() {
    Detector d = Detector.builder().build();
    Assessment a = null;
    for (int i = 0; i < 20; i++) {
      a = d.assess(ActivityEvent.of(T0.plusSeconds(i), EventKind.SIGNUP, "new-" + i, "192.0.2.200"));
    }
    assertTrue(a.flags(Detection.SIGNUP_ABUSE));
  }

  @Test
  void shadowMode_allowsEverything_butReportsWhatThePolicyWouldDo_andTheListenerHearsIt() {
    List<Assessment> heard = new ArrayList<>();
    Detector d = Detector.builder().shadow(true).policy(ResponsePolicy.DEFAULT.with(RiskLevel.HIGH, Response.DENY))
        .listener(heard::add).build();
    Assessment a = null;
    for (int i = 0; i < 20; i++) {
      a = d.assess(fail(T0.plusSeconds(i), "gina", "192.0.2.5"));
    }
    assertEquals(Response.ALLOW, a.response());
    assertEquals(Response.DENY, a.wouldRespond());
    assertTrue(a.shadow());
    assertEquals(16, heard.size(), "failures 5..20 had findings");
  }

  @Test
  void throwingResolverAndListener_areCounted_andDetectionGoesOn() {
    Detector d = Detector.builder().resolver(ip -> {
      throw new IllegalStateException("geoip database missing");
    }).listener(a -> {
      throw new IllegalStateException("audit log down");
    }).build();
    Assessment a = d.assess(ok(T0, "hank", "192.0.2.1", "x"));
    assertTrue(a.flags(Detection.DETECTOR_ERROR));
    for (int i = 0; i < 5; i++) {
      a = d.assess(fail(T0.plusSeconds(i + 1), "hank", "192.0.2.1"));
    }
    assertTrue(a.flags(Detection.BRUTE_FORCE));
    assertEquals(1, d.resolverFailures());
    assertTrue(d.listenerFailures() >= 2);
  }

  @Test
  void missingFields_skipTheDetectorsThatNeedThem() {
    Detector d = Detector.builder().resolver(RESOLVER).build();
    for (EventKind k : EventKind.values()) {
      assertEquals(RiskLevel.NONE, d.assess(new ActivityEvent(T0, k, null, null, null, null, null)).level(), k.name());
    }
  }

  @Test
  void stateIsBounded_forgottenAccountsStartOver() {
    Detector d = Detector.builder().thresholds(Thresholds.DEFAULTS.withMaxTrackedKeys(64)).build();
    for (int i = 0; i < 4; i++) {
      d.assess(fail(T0.plusSeconds(i), "ivan", "192.0.2.1"));
    }
    for (int i = 0; i < 10_000; i++) {
      d.assess(fail(T0.plusSeconds(10), "other-" + i, "192.0.3." + (i % 200)));
    }
    assertFalse(d.assess(fail(T0.plusSeconds(11), "ivan", "192.0.2.1")).flags(Detection.BRUTE_FORCE),
        "ivan's four failures were evicted with the least recently used accounts");
  }

  @Test
  void sustainedStuffing_staysFlagged_theBaselineDoesNotLearnTheSpike() {
    Detector d = Detector.builder().thresholds(Thresholds.DEFAULTS.withGlobal(6, 30, 5)).build();
    Instant t = T0;
    for (int m = 0; m < 10; m++) { // quiet baseline: 2 failures a minute
      d.assess(fail(t.plusSeconds(60L * m), "q" + m, "10.9." + m + ".1"));
      d.assess(fail(t.plusSeconds(60L * m + 30), "q" + m, "10.9." + m + ".1"));
    }
    Instant attack = t.plusSeconds(600);
    Assessment last = null;
    for (int i = 0; i < 60 * 30; i++) { // 60 failures a minute for 30 minutes from ever-new sources
      last = d.assess(fail(attack.plusSeconds(i), "v" + (i % 500), "100." + (i / 250) + "." + (i % 250) + ".3"));
    }
    assertTrue(last.flags(Detection.CREDENTIAL_STUFFING), "minute 30 of the campaign is still a spike");
  }

  @Test
  void oneUnflaggedLoginFromANewNetwork_doesNotMoveTheAccountsLocation() {
    Detector d = Detector.builder().resolver(RESOLVER).build();
    d.assess(ok(T0, "kim", "198.51.100.10", "laptop")); // Berlin, learned (first success)
    // A login from Munich a day later is plausible, but its network is new: pending, not learned.
    assertFalse(d.assess(ok(T0.plus(Duration.ofDays(1)), "kim", "192.0.2.120", "laptop")).flags(Detection.IMPOSSIBLE_TRAVEL));
    // Tokyo 5 h after Berlin's time... measured against Berlin (the confirmed location), 9,000 km in 29 h: fine.
    assertFalse(d.assess(ok(T0.plus(Duration.ofHours(29)), "kim", "203.0.113.30", "laptop")).flags(Detection.IMPOSSIBLE_TRAVEL));
    // The second clean success from Munich's network confirms it; Tokyo an hour later is then impossible.
    d.assess(ok(T0.plus(Duration.ofHours(30)), "kim", "192.0.2.120", "laptop"));
    d.assess(ok(T0.plus(Duration.ofHours(30)).plusSeconds(1), "kim", "192.0.2.120", "laptop"));
    assertTrue(d.assess(ok(T0.plus(Duration.ofHours(31)), "kim", "203.0.113.30", "laptop")).flags(Detection.IMPOSSIBLE_TRAVEL));
  }

  @Test
  void sessionUsedFromAnotherCountryWithTheSameBrowser_isHigh() {
    Detector d = Detector.builder().resolver(RESOLVER).build();
    d.assess(ActivityEvent.login(T0, true, "lee", "198.51.100.10", FF, "laptop", "s-9"));
    Assessment a = d.assess(new ActivityEvent(T0.plusSeconds(60), EventKind.SESSION_USE, "lee", "203.0.113.30", FF, null, "s-9"));
    assertEquals(RiskLevel.HIGH, a.level(), a.findings().toString());
    assertEquals("session_new_country", a.findings().get(0).code());
  }

  @Test
  void thresholdsRejectNonsense() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Thresholds.DEFAULTS.withAccountFailures(10, 5));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> ResponsePolicy.DEFAULT.with(RiskLevel.NONE, Response.DENY));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new Location(91, 0, 1, null, null));
  }
}
