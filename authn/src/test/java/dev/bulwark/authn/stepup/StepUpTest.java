package dev.bulwark.authn.stepup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.session.InMemorySessionStore;
import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.session.SessionPolicy;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.testsupport.RecordingListener;
import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepUpTest {

  final FakeClock clock = FakeClock.atDefaultEpoch();
  final RecordingListener events = new RecordingListener();
  final Sessions sessions = Sessions.builder(new InMemorySessionStore(clock))
      .policy(SessionPolicy.nist(AssuranceLevel.AAL2).withElevationTimeout(Duration.ofMinutes(10)))
      .clock(clock).build();
  final StepUp stepUp = new StepUp(clock, events);

  IssuedSession passwordOnly() throws Exception {
    return sessions.create("alice", AssuranceLevel.AAL1, Map.of(Factor.PASSWORD, clock.instant()));
  }

  @Test
  void lowLevel_asksForASecondFactor_webauthnFirst() throws Exception {
    Session s = passwordOnly().session();
    StepUpDecision d = stepUp.check(s, StepUpRequirement.of(AssuranceLevel.AAL2, Duration.ofMinutes(5)));
    StepUpDecision.Required r = assertInstanceOf(StepUpDecision.Required.class, d);
    assertEquals(StepUpDecision.Reason.LEVEL_TOO_LOW, r.reason());
    assertEquals(List.of(Factor.WEBAUTHN, Factor.TOTP, Factor.RECOVERY_CODE), r.factors());
    assertEquals(1, events.count(SecurityEventType.STEP_UP_REQUIRED));
  }

  @Test
  void enrolledFactors_narrowTheAnswer() throws Exception {
    Session s = passwordOnly().session();
    StepUpDecision.Required r = assertInstanceOf(StepUpDecision.Required.class,
        stepUp.check(s, StepUpRequirement.of(AssuranceLevel.AAL2, Duration.ofMinutes(5)), EnumSet.of(Factor.PASSWORD, Factor.TOTP)));
    assertEquals(List.of(Factor.TOTP), r.factors());
    assertEquals(Factor.TOTP, r.preferredFactor().orElseThrow());
  }

  @Test
  void aal3_needsWebAuthn_andNothingElse() throws Exception {
    Session s = sessions.create("alice", AssuranceLevel.AAL2, Map.of(Factor.PASSWORD, clock.instant(), Factor.TOTP, clock.instant())).session();
    StepUpDecision.Required r = assertInstanceOf(StepUpDecision.Required.class,
        stepUp.check(s, StepUpRequirement.of(AssuranceLevel.AAL3, Duration.ofMinutes(5)), EnumSet.of(Factor.PASSWORD, Factor.TOTP)));
    assertEquals(StepUpDecision.Reason.NO_SUITABLE_FACTOR, r.reason());
    assertTrue(r.factors().isEmpty());
  }

  @Test
  void staleStrongFactor_asksToReverifyIt_passwordDoesNotRefresh() throws Exception {
    IssuedSession i = sessions.create("alice", AssuranceLevel.AAL2,
        Map.of(Factor.PASSWORD, clock.instant(), Factor.TOTP, clock.instant()));
    StepUpRequirement req = StepUpRequirement.of(AssuranceLevel.AAL2, Duration.ofMinutes(5));
    assertTrue(stepUp.check(i.session(), req).allowed());
    clock.advance(Duration.ofMinutes(6));
    IssuedSession pw = sessions.elevate(i.token().reveal(), Factor.PASSWORD, clock.instant(), AssuranceLevel.AAL2);
    StepUpDecision.Required r = assertInstanceOf(StepUpDecision.Required.class, stepUp.check(pw.session(), req));
    assertEquals(StepUpDecision.Reason.AUTHENTICATION_TOO_OLD, r.reason());
    assertEquals(Factor.TOTP, r.preferredFactor().orElseThrow());
  }

  @Test
  void elevation_allowsUntilItEnds_thenRequiresAgain() throws Exception {
    IssuedSession i = passwordOnly();
    clock.advance(Duration.ofMinutes(1));
    IssuedSession up = sessions.elevate(i.token().reveal(), Factor.WEBAUTHN, clock.instant(), AssuranceLevel.AAL3);
    StepUpRequirement req = StepUpRequirement.of(AssuranceLevel.AAL3, Duration.ofMinutes(30));
    StepUpDecision.Allowed a = assertInstanceOf(StepUpDecision.Allowed.class, stepUp.check(up.session(), req));
    assertEquals(clock.instant().plus(Duration.ofMinutes(10)), a.until());
    clock.advance(Duration.ofMinutes(9));
    assertTrue(stepUp.check(up.session(), req).allowed());
    clock.advance(Duration.ofMinutes(1));
    StepUpDecision.Required r = assertInstanceOf(StepUpDecision.Required.class, stepUp.check(up.session(), req));
    assertEquals(StepUpDecision.Reason.LEVEL_TOO_LOW, r.reason());
    assertEquals(List.of(Factor.WEBAUTHN), r.factors());
  }

  @Test
  void allowedUntil_isTheFreshnessWindow() throws Exception {
    Session s = sessions.create("alice", AssuranceLevel.AAL3, Map.of(Factor.WEBAUTHN, clock.instant())).session();
    StepUpDecision.Allowed a = assertInstanceOf(StepUpDecision.Allowed.class,
        stepUp.check(s, StepUpRequirement.of(AssuranceLevel.AAL3, Duration.ofMinutes(5))));
    assertEquals(clock.instant().plus(Duration.ofMinutes(5)), a.until());
    clock.advance(Duration.ofMinutes(5));
    assertEquals(StepUpDecision.Reason.AUTHENTICATION_TOO_OLD, assertInstanceOf(StepUpDecision.Required.class,
        stepUp.check(s, StepUpRequirement.of(AssuranceLevel.AAL3, Duration.ofMinutes(5)))).reason());
  }
}
