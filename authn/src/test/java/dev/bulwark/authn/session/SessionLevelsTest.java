package dev.bulwark.authn.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.common.Bytes;
import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.stepup.StepUp;
import dev.bulwark.authn.stepup.StepUpDecision;
import dev.bulwark.authn.stepup.StepUpRequirement;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.authn.webauthn.WebAuthnLogin;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Sessions follow the assurance level they were created or stepped up at (NIST SP 800-63B rev. 4
 * presets), and a step-up records the level its factor proved.
 */
class SessionLevelsTest {

  private final FakeClock clock = FakeClock.atDefaultEpoch();
  private final Sessions sessions = Sessions.builder(new InMemorySessionStore(clock)).clock(clock).build();

  private static WebAuthnLogin passkey(boolean synced) {
    return new WebAuthnLogin("alice", Bytes.of(new byte[] {1, 2, 3}), true, synced, synced, 0, false,
        synced ? AssuranceLevel.AAL2 : AssuranceLevel.AAL3);
  }

  private IssuedSession create(AssuranceLevel level, Factor... factors) throws SessionException {
    Map<Factor, java.time.Instant> verified = new java.util.EnumMap<>(Factor.class);
    for (Factor f : factors) {
      verified.put(f, clock.instant());
    }
    return sessions.create("alice", level, verified);
  }

  @Test
  void eachLevel_getsItsOwnNistLimits() throws Exception {
    assertEquals(Duration.ofMinutes(15), create(AssuranceLevel.AAL3, Factor.WEBAUTHN).session().idleTimeout());
    assertEquals(Duration.ofHours(1), create(AssuranceLevel.AAL2, Factor.PASSWORD, Factor.TOTP).session().idleTimeout());
    assertEquals(Duration.ofDays(30), create(AssuranceLevel.AAL1, Factor.PASSWORD).session().idleTimeout());
    IssuedSession aal3 = create(AssuranceLevel.AAL3, Factor.WEBAUTHN);
    assertEquals(clock.instant().plus(Duration.ofHours(12)), aal3.session().absoluteDeadline());
  }

  @Test
  void anAal3Session_idlesOutAfterFifteenMinutes_whileAnAal2OneLivesOn() throws Exception {
    String aal3 = create(AssuranceLevel.AAL3, Factor.WEBAUTHN).token().reveal();
    String aal2 = create(AssuranceLevel.AAL2, Factor.PASSWORD, Factor.TOTP).token().reveal();
    clock.advance(Duration.ofMinutes(16));
    SessionException e = assertThrows(SessionException.class, () -> sessions.validate(aal3));
    assertEquals(SessionException.Reason.IDLE_TIMEOUT, e.reason());
    assertEquals("alice", sessions.validate(aal2).userId());
  }

  @Test
  void stepUpToAal3_tightensTheLimits_toAal3s() throws Exception {
    String token = create(AssuranceLevel.AAL2, Factor.PASSWORD, Factor.TOTP).token().reveal();
    clock.advance(Duration.ofMinutes(10));
    IssuedSession up = sessions.elevate(token, passkey(false));
    assertEquals(Duration.ofMinutes(15), up.session().idleTimeout());
    assertEquals(AssuranceLevel.AAL3, up.session().levelAt(clock.instant()));
    clock.advance(Duration.ofMinutes(16));
    SessionException e = assertThrows(SessionException.class, () -> sessions.validate(up.token().reveal()));
    assertEquals(SessionException.Reason.IDLE_TIMEOUT, e.reason(), "the session now idles out as an AAL3 one");
  }

  @Test
  void syncedPasskey_provesAal2_deviceBoundProvesAal3() throws Exception {
    String token = create(AssuranceLevel.AAL1, Factor.PASSWORD).token().reveal();
    IssuedSession synced = sessions.elevate(token, passkey(true));
    assertEquals(Optional.of(AssuranceLevel.AAL2), synced.session().provenLevel(Factor.WEBAUTHN));
    assertEquals(AssuranceLevel.AAL2, synced.session().levelAt(clock.instant()));
    IssuedSession bound = sessions.elevate(synced.token().reveal(), passkey(false));
    assertEquals(Optional.of(AssuranceLevel.AAL3), bound.session().provenLevel(Factor.WEBAUTHN));
    assertEquals(AssuranceLevel.AAL3, bound.session().levelAt(clock.instant()));
  }

  /**
   * An AAL3 session re-verified with a synced passkey: the fresh verification proved AAL2 only,
   * so it does not satisfy a recent-AAL3 requirement (it used to, because any WebAuthn factor
   * counted as AAL3).
   */
  @Test
  void aSyncedPasskey_neverRefreshesAnAal3Requirement() throws Exception {
    String token = create(AssuranceLevel.AAL3, Factor.WEBAUTHN).token().reveal();
    clock.advance(Duration.ofMinutes(10));
    IssuedSession again = sessions.elevate(token, passkey(true));
    StepUp stepUp = new StepUp(clock, SecurityEventListener.NONE);
    StepUpDecision d = stepUp.check(again.session(), StepUpRequirement.of(AssuranceLevel.AAL3, Duration.ofMinutes(5)));
    assertInstanceOf(StepUpDecision.Required.class, d);
    IssuedSession bound = sessions.elevate(again.token().reveal(), passkey(false));
    assertInstanceOf(StepUpDecision.Allowed.class,
        stepUp.check(bound.session(), StepUpRequirement.of(AssuranceLevel.AAL3, Duration.ofMinutes(5))));
  }

  @Test
  void aFactorCannotClaimMoreThanItProves() throws Exception {
    String token = create(AssuranceLevel.AAL1, Factor.PASSWORD).token().reveal();
    IssuedSession totp = sessions.elevate(token, Factor.TOTP, clock.instant(), AssuranceLevel.AAL3);
    assertEquals(Optional.of(AssuranceLevel.AAL2), totp.session().provenLevel(Factor.TOTP), "a code proves AAL2 at most");
    assertEquals(AssuranceLevel.AAL2, totp.session().levelAt(clock.instant()));
    IssuedSession password = sessions.elevate(totp.token().reveal(), Factor.PASSWORD, clock.instant(), AssuranceLevel.AAL3);
    assertEquals(Optional.of(AssuranceLevel.AAL1), password.session().provenLevel(Factor.PASSWORD));
    assertEquals(AssuranceLevel.AAL2, password.session().levelAt(clock.instant()), "a password raises nothing");
  }

  @Test
  void onePolicyForAll_remainsPossible() throws Exception {
    Sessions same = Sessions.builder(new InMemorySessionStore(clock)).clock(clock)
        .policy(SessionPolicy.nist(AssuranceLevel.AAL2)).build();
    assertEquals(Duration.ofHours(1), same.create("bob", AssuranceLevel.AAL3, Map.of(Factor.WEBAUTHN, clock.instant()))
        .session().idleTimeout());
  }
}
