package dev.bulwark.authn.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.flow.LoginResult.Outcome;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.password.Argon2idParameters;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.recovery.RecoveryCodes;
import dev.bulwark.authn.recovery.spi.RecoveryCodeStore;
import dev.bulwark.authn.session.InMemorySessionStore;
import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.stepup.StepUp;
import dev.bulwark.authn.stepup.StepUpDecision;
import dev.bulwark.authn.stepup.StepUpRequirement;
import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.TotpEnrollment;
import dev.bulwark.authn.totp.TotpVerifier;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link LoginResult#factorTimes()}: when each factor was verified, on the flow's clock, into the session. */
class LoginResultFactorTimesTest {

  private static final Optional<String> IP = Optional.of("192.0.2.10");

  /** A clock that, while {@link #ticking}, moves one millisecond forward at every reading. */
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-06-01T09:00:00Z"));
  private final AtomicBoolean ticking = new AtomicBoolean();
  private final InstantSource clock = () -> ticking.get() ? now.updateAndGet(t -> t.plusMillis(1)) : now.get();
  private final Map<String, Account> accounts = new HashMap<>();
  private final AccountDirectory directory = new AccountDirectory() {
    @Override
    public Optional<Account> find(String username) {
      return Optional.ofNullable(accounts.get(username));
    }

    @Override
    public void updatePasswordHash(String accountId, String newHash) {}
  };
  private final PasswordHasher hasher =
      PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(64, 1, 1)).build();
  private final Lockout lockout = Lockout.builder(AttemptStore.inMemory(clock)).clock(clock).build();
  private final TotpAuthenticator totp =
      TotpAuthenticator.builder(TotpCredentialStore.inMemory(), UsedTotpStepStore.inMemory(clock)).clock(clock).build();
  private final RecoveryCodes recovery = RecoveryCodes.builder(RecoveryCodeStore.inMemory()).clock(clock).build();
  private TotpEnrollment rootTotp;
  private String recoveryCode;

  @BeforeEach
  void accounts() throws Exception {
    accounts.put("alice", new Account("u-alice", hasher.hash("alice long passphrase"), Set.of("user")));
    accounts.put("root", new Account("u-root", hasher.hash("root long passphrase"), Set.of("admin")));
    rootTotp = totp.beginEnrollment("u-root", "ACME", "root");
    assertTrue(totp.confirmEnrollment(rootTotp, code()));
    recoveryCode = recovery.regenerate("u-root").codes().get(0);
    now.set(now.get().plusSeconds(30));
  }

  private String code() {
    return new TotpVerifier(rootTotp.uri().settings(), UsedTotpStepStore.inMemory(now::get), now::get)
        .codeAt(rootTotp.uri().secret(), now.get());
  }

  private LoginFlow flow(boolean oneStep) {
    return LoginFlow.builder(directory, hasher, lockout).totp(totp).recoveryCodes(recovery).oneStep(oneStep)
        .clock(clock).build();
  }

  @Test
  void passwordOnly_hasThePasswordTime() {
    Instant before = now.get();
    LoginResult r = flow(false).login(LoginRequest.of("alice", "alice long passphrase", IP));
    assertEquals(Outcome.SUCCESS, r.outcome());
    assertEquals(r.factors(), r.factorTimes().keySet());
    assertEquals(Map.of(Factor.PASSWORD, before), r.factorTimes());
    assertEquals(Optional.of(before), r.verifiedAt(Factor.PASSWORD));
    assertEquals(Optional.empty(), r.verifiedAt(Factor.TOTP));
  }

  @Test
  void eachFactor_hasItsOwnTime_readAfterItWasChecked() {
    for (boolean oneStep : new boolean[] {false, true}) {
      String c = code();
      ticking.set(true);
      Instant before = clock.instant();
      LoginResult r = flow(oneStep).login(LoginRequest.of("root", "root long passphrase", IP)
          .withSecondFactor(dev.bulwark.authn.flow.SecondFactorResponse.totp(c)));
      Instant after = clock.instant();
      ticking.set(false);
      assertEquals(Outcome.SUCCESS, r.outcome(), "one step " + oneStep);
      assertEquals(Set.of(Factor.PASSWORD, Factor.TOTP), r.factorTimes().keySet());
      Instant password = r.factorTimes().get(Factor.PASSWORD);
      Instant code = r.factorTimes().get(Factor.TOTP);
      assertTrue(before.isBefore(password) && password.isBefore(code) && code.isBefore(after),
          before + " < " + password + " < " + code + " < " + after);
      now.set(now.get().plusSeconds(30));
    }
  }

  @Test
  void recoveryCode_hasItsTime() {
    LoginResult r = flow(false).login(LoginRequest.of("root", "root long passphrase", IP)
        .withSecondFactor(dev.bulwark.authn.flow.SecondFactorResponse.recoveryCode(recoveryCode)));
    assertEquals(Outcome.SUCCESS, r.outcome());
    assertEquals(Map.of(Factor.PASSWORD, now.get(), Factor.RECOVERY_CODE, now.get()), r.factorTimes());
  }

  @Test
  void noTimes_unlessSuccess() {
    LoginFlow flow = flow(false);
    assertEquals(Map.of(), flow.login(LoginRequest.of("alice", "wrong passphrase", IP)).factorTimes());
    LoginResult required = flow.login(LoginRequest.of("root", "root long passphrase", IP));
    assertEquals(Outcome.SECOND_FACTOR_REQUIRED, required.outcome());
    assertEquals(Map.of(), required.factorTimes());
    assertEquals(Map.of(), flow.login(LoginRequest.of("nobody", "any passphrase here", IP)).factorTimes());
  }

  @Test
  void inconsistentTimes_areRefused() {
    Instant t = now.get();
    assertThrows(IllegalArgumentException.class, () -> new LoginResult(Outcome.SUCCESS, Optional.of("u"),
        Optional.of(AssuranceLevel.AAL2), Set.of(Factor.PASSWORD, Factor.TOTP), Set.of(), Duration.ZERO,
        Map.of(Factor.PASSWORD, t)));
    assertThrows(IllegalArgumentException.class, () -> new LoginResult(Outcome.FAILED, Optional.empty(),
        Optional.empty(), Set.of(), Set.of(), Duration.ZERO, Map.of(Factor.PASSWORD, t)));
    LoginResult ok = new LoginResult(Outcome.SUCCESS, Optional.of("u"), Optional.of(AssuranceLevel.AAL1),
        Set.of(Factor.PASSWORD), Set.of(), Duration.ZERO, new HashMap<>(Map.of(Factor.PASSWORD, t)));
    assertThrows(UnsupportedOperationException.class, () -> ok.factorTimes().put(Factor.TOTP, t));
  }

  /** The times flow into the session, and step-up's recency counts from them, not from session creation. */
  @Test
  void sessionsCreate_takesTheFactorTimes() throws Exception {
    String c = code();
    LoginResult r = flow(false).login(LoginRequest.of("root", "root long passphrase", IP)
        .withSecondFactor(dev.bulwark.authn.flow.SecondFactorResponse.totp(c)));
    Instant verified = now.get();
    now.set(verified.plus(Duration.ofMinutes(10)));
    Sessions sessions = Sessions.builder(new InMemorySessionStore(clock)).clock(clock).build();
    IssuedSession issued = sessions.create(r, Set.of("ROLE_ADMIN"));
    Session s = issued.session();
    assertEquals(r.factorTimes(), s.factors());
    assertEquals(verified, s.authTime());
    assertEquals(now.get(), s.createdAt());
    assertEquals("u-root", s.userId());
    assertEquals(AssuranceLevel.AAL2, s.assuranceLevel());
    assertEquals(Set.of("ROLE_ADMIN"), s.authorities());
    StepUpDecision d = new StepUp(clock, dev.bulwark.authn.SecurityEventListener.NONE)
        .check(s, StepUpRequirement.of(AssuranceLevel.AAL2, Duration.ofMinutes(5)));
    assertTrue(d instanceof StepUpDecision.Required, "the TOTP was verified 10 minutes ago: " + d);
    assertEquals(Set.of(), sessions.create(r).session().authorities());
    LoginResult failed = flow(false).login(LoginRequest.of("alice", "wrong passphrase", IP));
    assertThrows(IllegalArgumentException.class, () -> sessions.create(failed));
  }
}
