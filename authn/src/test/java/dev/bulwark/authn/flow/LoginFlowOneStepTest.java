package dev.bulwark.authn.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.flow.LoginResult.Outcome;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.password.Argon2idParameters;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.TotpEnrollment;
import dev.bulwark.authn.totp.TotpVerifier;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * One-step mode: whoever holds a password list learns nothing from the site without the second
 * factor. A wrong password, a right one without a code and a right one with a wrong code get the
 * same answer, and leave the same lockout state behind, so neither the result nor a later
 * LOCKED can tell them apart.
 */
class LoginFlowOneStepTest {

  private static final Optional<String> IP = Optional.of("192.0.2.10");

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-06-01T09:00:00Z"));
  private final PasswordHasher hasher =
      PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(64, 1, 1)).build();
  private final Map<String, Account> accounts = new ConcurrentHashMap<>();
  private final AccountDirectory directory = username -> Optional.ofNullable(accounts.get(username));
  private final TotpAuthenticator totp = TotpAuthenticator.builder(TotpCredentialStore.inMemory(),
      UsedTotpStepStore.inMemory(now::get)).clock(now::get).build();
  private final Map<String, TotpEnrollment> enrollments = new ConcurrentHashMap<>();

  private Lockout lockout;

  private LoginFlow flow(boolean oneStep) {
    lockout = Lockout.builder(AttemptStore.inMemory(now::get)).clock(now::get).build();
    return LoginFlow.builder(directory, hasher, lockout).totp(totp).clock(now::get).oneStep(oneStep).build();
  }

  private void account(String name) throws Exception {
    accounts.put(name, new Account("u-" + name, hasher.hash(name + " long passphrase"), Set.of("admin")));
    TotpEnrollment e = totp.beginEnrollment("u-" + name, "ACME", name);
    assertTrue(totp.confirmEnrollment(e, codeAt(e, now.get())));
    enrollments.put(name, e);
  }

  private String codeAt(TotpEnrollment e, Instant t) {
    return new TotpVerifier(e.uri().settings(), UsedTotpStepStore.inMemory(now::get), now::get).codeAt(e.uri().secret(), t);
  }

  private String wrongCode(String name) {
    TotpEnrollment e = enrollments.get(name);
    List<String> valid = List.of(codeAt(e, now.get().minusSeconds(30)), codeAt(e, now.get()), codeAt(e, now.get().plusSeconds(30)));
    for (int i = 0; ; i++) {
      String c = String.format(java.util.Locale.ROOT, "%06d", 123_456 + i);
      if (!valid.contains(c)) {
        return c;
      }
    }
  }

  private LoginRequest request(String name, String password, Optional<String> code) {
    LoginRequest r = LoginRequest.of(name, password, IP);
    return code.map(c -> r.withSecondFactor(SecondFactorResponse.totp(c))).orElse(r);
  }

  @Test
  void wrongPassword_missingCode_andWrongCode_getTheSameAnswer() throws Exception {
    account("root");
    LoginFlow flow = flow(true);
    LoginResult wrongPassword = flow.login(request("root", "not the passphrase", Optional.empty()));
    LoginResult rightPasswordNoCode = flow.login(request("root", "root long passphrase", Optional.empty()));
    LoginResult rightPasswordWrongCode = flow.login(request("root", "root long passphrase", Optional.of(wrongCode("root"))));
    LoginResult wrongPasswordRightCode = flow.login(request("root", "not the passphrase",
        Optional.of(codeAt(enrollments.get("root"), now.get()))));
    assertEquals(Outcome.FAILED, wrongPassword.outcome());
    assertEquals(wrongPassword, rightPasswordNoCode, "a right password alone is not revealed");
    assertEquals(wrongPassword, rightPasswordWrongCode);
    assertEquals(wrongPassword, wrongPasswordRightCode);
  }

  @Test
  void twoStepMode_isUnchanged_andRevealsARightPassword() throws Exception {
    account("root");
    LoginFlow flow = flow(false);
    assertEquals(Outcome.SECOND_FACTOR_REQUIRED, flow.login(request("root", "root long passphrase", Optional.empty())).outcome());
  }

  @Test
  void rightPasswordAndCode_succeedAtAal2() throws Exception {
    account("root");
    now.set(now.get().plusSeconds(30));
    LoginFlow flow = flow(true);
    LoginResult r = flow.login(request("root", "root long passphrase", Optional.of(codeAt(enrollments.get("root"), now.get()))));
    assertEquals(Outcome.SUCCESS, r.outcome());
    assertEquals(Optional.of(AssuranceLevel.AAL2), r.assuranceLevel());
    assertEquals(Set.of(Factor.PASSWORD, Factor.TOTP), r.factors());
    assertEquals(0, lockout.accountAttempts("root").failures());
  }

  /**
   * The lockout cannot be used as the oracle either: a series of attempts of each kind, on two
   * identical accounts, leaves the same counters and gets the same answers (including when the
   * lockout starts to refuse).
   */
  @Test
  void everyKindOfWrongAttempt_countsAlike_soLockedComesAtTheSameTime() throws Exception {
    account("first");
    account("second");
    LoginFlow flow = flow(true);
    Function<String, List<Outcome>> series = name -> {
      List<Outcome> out = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        boolean rightPassword = name.equals("second");
        String password = rightPassword ? name + " long passphrase" : "guess " + i;
        // Same shape of request for both: a code is always sent, a wrong one.
        out.add(flow.login(request(name, password, Optional.of(wrongCode(name)))).outcome());
      }
      return out;
    };
    List<Outcome> wrongPasswords = series.apply("first");
    List<Outcome> rightPasswordsWrongCodes = series.apply("second");
    assertEquals(wrongPasswords, rightPasswordsWrongCodes);
    assertTrue(wrongPasswords.contains(Outcome.LOCKED), "the series runs into the lockout: " + wrongPasswords);
    assertEquals(lockout.accountAttempts("first"), lockout.accountAttempts("second"));
    assertEquals(lockout.isDisabled("first", Factor.TOTP), lockout.isDisabled("second", Factor.TOTP));

    List<Outcome> noCode = new ArrayList<>();
    List<Outcome> noCodeWrongPassword = new ArrayList<>();
    account("third");
    account("fourth");
    for (int i = 0; i < 8; i++) {
      noCode.add(flow.login(request("third", "third long passphrase", Optional.empty())).outcome());
      noCodeWrongPassword.add(flow.login(request("fourth", "guess " + i, Optional.empty())).outcome());
    }
    assertEquals(noCodeWrongPassword, noCode, "a right password without its code counts like a wrong one");
    assertEquals(lockout.accountAttempts("fourth"), lockout.accountAttempts("third"));
  }
}
