package dev.bulwark.authn.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.flow.LoginResult.Outcome;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.password.Argon2idParameters;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.recovery.RecoveryCodes;
import dev.bulwark.authn.recovery.spi.RecoveryCodeStore;
import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.TotpEnrollment;
import dev.bulwark.authn.totp.TotpVerifier;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoginFlowTest {

  private static final Optional<String> IP = Optional.of("192.0.2.10");

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-06-01T09:00:00Z"));
  private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  private final Map<String, Account> byUsername = new ConcurrentHashMap<>();
  private final Map<String, String> rehashed = new ConcurrentHashMap<>();
  private final AccountDirectory directory = new AccountDirectory() {
    @Override
    public Optional<Account> find(String username) {
      return Optional.ofNullable(byUsername.get(username));
    }

    @Override
    public void updatePasswordHash(String accountId, String newHash) {
      rehashed.put(accountId, newHash);
    }
  };
  private final PasswordHasher hasher =
      PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(64, 1, 1)).build();
  private final UsedTotpStepStore usedSteps = UsedTotpStepStore.inMemory(now::get);
  private final Lockout lockout = Lockout.builder(AttemptStore.inMemory(now::get)).clock(now::get).listener(events::add).build();
  private final TotpAuthenticator totp = TotpAuthenticator.builder(TotpCredentialStore.inMemory(), usedSteps)
      .clock(now::get).listener(events::add).build();
  private final RecoveryCodes recovery = RecoveryCodes.builder(RecoveryCodeStore.inMemory()).clock(now::get).listener(events::add).build();
  private final LoginFlow flow = LoginFlow.builder(directory, hasher, lockout)
      .totp(totp).recoveryCodes(recovery).clock(now::get).listener(events::add).build();

  private TotpEnrollment adminTotp;

  @BeforeEach
  void accounts() throws Exception {
    byUsername.put("alice", new Account("u-alice", hasher.hash("alice long passphrase"), Set.of("user")));
    byUsername.put("root", new Account("u-root", hasher.hash("root long passphrase"), Set.of("admin")));
    byUsername.put("nomfa-admin", new Account("u-na", hasher.hash("admin without mfa"), Set.of("admin")));
    adminTotp = totp.beginEnrollment("u-root", "ACME", "root");
    assertTrue(totp.confirmEnrollment(adminTotp, code()));
    now.set(now.get().plusSeconds(30));
    events.clear();
  }

  private String code() {
    return new TotpVerifier(adminTotp.uri().settings(), UsedTotpStepStore.inMemory(now::get), now::get)
        .codeAt(adminTotp.uri().secret(), now.get());
  }

  private LoginResult login(String user, String password) {
    return flow.login(LoginRequest.of(user, password, IP));
  }

  private List<String> eventTypes() {
    return events.stream().map(SecurityEvent::type).toList();
  }

  @Test
  void passwordOnlyUser_reachesAal1() {
    LoginResult r = login("alice", "alice long passphrase");
    assertEquals(Outcome.SUCCESS, r.outcome());
    assertEquals(Optional.of("u-alice"), r.accountId());
    assertEquals(Optional.of(AssuranceLevel.AAL1), r.assuranceLevel());
    assertEquals(Set.of(Factor.PASSWORD), r.factors());
    assertEquals(List.of(SecurityEventType.LOGIN_SUCCESS), eventTypes());
  }

  @Test
  void admin_needsTotp_andReachesAal2() {
    LoginResult first = login("root", "root long passphrase");
    assertEquals(Outcome.SECOND_FACTOR_REQUIRED, first.outcome());
    assertEquals(Set.of(Factor.TOTP), first.acceptedSecondFactors());
    assertTrue(first.accountId().isEmpty());

    LoginResult second = flow.login(LoginRequest.of("root", "root long passphrase", IP)
        .withSecondFactor(SecondFactorResponse.totp(code())));
    assertEquals(Outcome.SUCCESS, second.outcome());
    assertEquals(Optional.of(AssuranceLevel.AAL2), second.assuranceLevel());
    assertEquals(Set.of(Factor.PASSWORD, Factor.TOTP), second.factors());
  }

  @Test
  void totpCode_cannotBeReplayed_inASecondLogin() {
    String c = code();
    LoginRequest req = LoginRequest.of("root", "root long passphrase", IP).withSecondFactor(SecondFactorResponse.totp(c));
    assertEquals(Outcome.SUCCESS, flow.login(req).outcome());
    assertEquals(Outcome.FAILED, flow.login(req).outcome());
    assertTrue(eventTypes().contains(SecurityEventType.TOKEN_REUSE));
    SecurityEvent mfaFail = events.stream().filter(e -> e.type().equals(SecurityEventType.MFA_FAIL)).findFirst().orElseThrow();
    assertEquals("replayed", mfaFail.details().get("reason"));
  }

  @Test
  void adminWithoutSecondFactor_cannotLogIn() {
    assertEquals(Outcome.SECOND_FACTOR_ENROLLMENT_REQUIRED, login("nomfa-admin", "admin without mfa").outcome());
    assertEquals("mfa_enrollment_required", events.get(0).details().get("reason"));
  }

  @Test
  void roleBasedAndEveryonePolicies() {
    LoginFlow everyone = LoginFlow.builder(directory, hasher, lockout).totp(totp).mfaPolicy(MfaPolicy.everyone()).clock(now::get).build();
    assertEquals(Outcome.SECOND_FACTOR_ENROLLMENT_REQUIRED, everyone.login(LoginRequest.of("alice", "alice long passphrase", IP)).outcome());
    LoginFlow byRole = LoginFlow.builder(directory, hasher, lockout).mfaPolicy(MfaPolicy.adminsOnly().withRequiredRoles(Set.of("user")))
        .clock(now::get).build();
    assertEquals(Outcome.SECOND_FACTOR_ENROLLMENT_REQUIRED, byRole.login(LoginRequest.of("alice", "alice long passphrase", IP)).outcome());
    assertThrows(IllegalArgumentException.class, () -> MfaPolicy.adminsOnly().withAdminRoles(Set.of()));
  }

  @Test
  void userWhoEnrolledTotp_isAskedForIt_evenWhenPolicyDoesNotRequireIt() throws Exception {
    TotpEnrollment e = totp.beginEnrollment("u-alice", "ACME", "alice");
    String c = new TotpVerifier(e.uri().settings(), UsedTotpStepStore.inMemory(now::get), now::get).codeAt(e.uri().secret(), now.get());
    assertTrue(totp.confirmEnrollment(e, c));
    assertEquals(Outcome.SECOND_FACTOR_REQUIRED, login("alice", "alice long passphrase").outcome());
  }

  @Test
  void recoveryCode_isAnAlternativeSecondFactor_usableOnce() {
    List<String> codes = recovery.regenerate("u-root").codes();
    LoginRequest req = LoginRequest.of("root", "root long passphrase", IP).withSecondFactor(SecondFactorResponse.recoveryCode(codes.get(0)));
    LoginResult r = flow.login(req);
    assertEquals(Outcome.SUCCESS, r.outcome());
    assertEquals(Set.of(Factor.PASSWORD, Factor.RECOVERY_CODE), r.factors());
    assertEquals(AssuranceLevel.AAL2, r.assuranceLevel().orElseThrow());
    assertTrue(eventTypes().contains(SecurityEventType.RECOVERY_CODE_USED));
    assertEquals(Outcome.FAILED, flow.login(req).outcome());
  }

  @Test
  void unknownAccount_wrongPassword_andWrongCode_lookTheSame() {
    LoginResult unknown = login("nobody", "whatever password");
    LoginResult wrong = login("alice", "wrong password!!");
    LoginResult badCode = flow.login(LoginRequest.of("root", "root long passphrase", IP).withSecondFactor(SecondFactorResponse.totp("abc")));
    assertEquals(unknown, wrong);
    assertEquals(wrong, badCode);
    assertEquals(Outcome.FAILED, unknown.outcome());
    SecurityEvent e1 = events.get(0);
    SecurityEvent e2 = events.get(1);
    assertEquals(e1.type(), e2.type());
    assertEquals(e1.details(), e2.details(), "the event does not say whether the account exists");
  }

  @Test
  void unknownAccounts_areLockedExactlyLikeKnownOnes() {
    for (int i = 0; i < 6; i++) {
      login("nobody", "guess " + i);
      login("alice", "guess " + i);
    }
    LoginResult u = login("nobody", "guess");
    LoginResult k = login("alice", "alice long passphrase");
    assertEquals(Outcome.LOCKED, u.outcome());
    assertEquals(u, k, "locked responses are identical, and do not depend on the password being right");
  }

  @Test
  void wrongTotp_countsOnTheTotpFactor_notThePassword() {
    for (int i = 0; i < 4; i++) {
      flow.login(LoginRequest.of("root", "root long passphrase", IP).withSecondFactor(SecondFactorResponse.totp("000000".equals(code()) ? "111111" : "000000")));
    }
    assertEquals(Outcome.LOCKED, flow.login(LoginRequest.of("root", "root long passphrase", IP)
        .withSecondFactor(SecondFactorResponse.totp(code()))).outcome());
    assertFalse(lockout.isDisabled("root", Factor.PASSWORD));
    assertTrue(lockout.check("root", Factor.PASSWORD, IP).open(), "password factor and account still open");
    now.set(now.get().plus(Duration.ofSeconds(2)));
    now.set(now.get().plusSeconds(30));
    assertEquals(Outcome.SUCCESS, flow.login(LoginRequest.of("root", "root long passphrase", IP)
        .withSecondFactor(SecondFactorResponse.totp(code()))).outcome());
  }

  @Test
  void success_afterFailures_resetsAndSaysSo() {
    login("alice", "nope nope nope");
    LoginResult r = login("alice", "alice long passphrase");
    assertTrue(r.succeeded());
    assertEquals(SecurityEventType.LOGIN_SUCCESS_AFTER_FAIL, events.get(events.size() - 1).type());
    assertEquals(0, lockout.accountAttempts("alice").failures());
  }

  @Test
  void outdatedHash_isUpgradedOnSuccessfulLogin() {
    PasswordHasher stronger = PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(128, 1, 1)).build();
    LoginFlow f = LoginFlow.builder(directory, stronger, lockout).clock(now::get).build();
    assertTrue(f.login(LoginRequest.of("alice", "alice long passphrase", IP)).succeeded());
    assertTrue(rehashed.get("u-alice").startsWith("$argon2id$v=19$m=128,t=1,p=1$"));
    assertFalse(stronger.needsRehash(rehashed.get("u-alice")));
  }

  @Test
  void corruptStoredHash_failsWithoutCrashing() {
    byUsername.put("broken", new Account("u-b", "$argon2id$v=19$garbage", Set.of()));
    assertEquals(Outcome.FAILED, login("broken", "anything at all").outcome());
    assertTrue(events.stream().anyMatch(e -> "stored_hash_unusable".equals(e.details().get("reason"))));
  }

  @Test
  void badRequests_areTypedErrors_andSecretsAreRedacted() {
    assertThrows(IllegalArgumentException.class, () -> LoginRequest.of("", "pw", IP));
    assertThrows(IllegalArgumentException.class, () -> LoginRequest.of(null, "pw", IP));
    assertThrows(IllegalArgumentException.class, () -> LoginRequest.of("a", null, IP));
    assertThrows(IllegalArgumentException.class, () -> LoginRequest.of("x".repeat(300), "pw", IP));
    LoginRequest r = LoginRequest.of("alice", "hunter2-secret", IP).withSecondFactor(SecondFactorResponse.totp("123456"));
    assertFalse(r.toString().contains("hunter2-secret"));
    assertFalse(r.toString().contains("123456"));
    assertFalse(byUsername.get("alice").toString().contains("argon2id"));
    assertEquals(Outcome.FAILED, login("alice", "").outcome());
    assertEquals(Outcome.FAILED, login("alice", "x".repeat(5000)).outcome());
  }
}
