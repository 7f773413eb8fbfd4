package dev.bulwark.authn.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.flow.LoginResult.Outcome;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.LockoutPolicy;
import dev.bulwark.authn.lockout.LockoutRule;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.password.Argon2idParameters;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.recovery.GeneratedRecoveryCodes;
import dev.bulwark.authn.recovery.RecoveryCodes;
import dev.bulwark.authn.recovery.spi.RecoveryCodeStore;
import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.TotpEnrollment;
import dev.bulwark.authn.totp.TotpVerifier;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parallel guesses against one account, all at one instant: the lockout must let through no more
 * verifications than it would one after another. Measured by counting the work done (Argon2id
 * computations, TOTP and recovery-code checks), not by timing.
 */
class LoginFlowConcurrencyTest {

  private static final Instant T = Instant.parse("2026-06-01T09:00:00Z");

  private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  private final PasswordHasher hasher =
      PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(64, 1, 1)).build();
  private final Map<String, Account> accounts = Map.of(
      "alice", new Account("u-alice", hasher.hash("alice long passphrase"), Set.of("user")),
      "root", new Account("u-root", hasher.hash("root long passphrase"), Set.of("admin")));
  private Gate gate = new Gate(1);
  private final AccountDirectory directory = username -> {
    gate.arrive();
    return Optional.ofNullable(accounts.get(username));
  };

  /**
   * Holds each caller until {@code parties} callers have arrived, or for at most 300 ms. Placed
   * just before a verification, it makes the race the lockout must win certain: a flow that counts
   * only after verifying lets every caller reach it, and they verify together; a flow that counts
   * first lets through only the admitted few, who wait out the short bound. Only ordering is
   * asserted, never time.
   */
  static final class Gate {
    private final CountDownLatch arrivals;

    Gate(int parties) {
      this.arrivals = new CountDownLatch(parties);
    }

    void arrive() {
      arrivals.countDown();
      try {
        arrivals.await(300, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Calls {@code gate} on the {@code n}-th call of {@code counter} in the current thread. */
  private static void onNthCallInThread(ThreadLocal<int[]> counter, int n, Gate gate) {
    if (++counter.get()[0] == n) {
      gate.arrive();
    }
  }

  /** Runs {@code n} logins at once and returns their outcomes. */
  private static List<Outcome> parallel(int n, IntFunction<LoginResult> login) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Outcome>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        int id = i;
        futures.add(pool.submit(() -> {
          start.await();
          return login.apply(id).outcome();
        }));
      }
      start.countDown();
      List<Outcome> out = new ArrayList<>();
      for (Future<Outcome> f : futures) {
        out.add(f.get(60, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Default policy: 5 free password failures, so at one instant 6 guesses may be checked (the
   * 6th owes no wait yet); every further one must be refused before Argon2id runs. Before
   * reserving, 64 threads got 33 password checks and 16 got 20.
   */
  @ParameterizedTest
  @ValueSource(ints = {2, 8, 16, 64})
  void parallelWrongPasswords_checkAtMostTheAllowedNumberOfPasswords(int threads) throws Exception {
    gate = new Gate(threads);
    Lockout lockout = Lockout.builder(AttemptStore.inMemory(() -> T)).clock(() -> T).build();
    LoginFlow flow = LoginFlow.builder(directory, hasher, lockout).clock(() -> T).build();
    long before = hasher.hashesComputed();
    List<Outcome> outcomes = parallel(threads,
        i -> flow.login(LoginRequest.of("alice", "guess number " + i, Optional.of("192.0.2." + (i % 4)))));
    long checks = hasher.hashesComputed() - before;
    long allowed = Math.min(threads, 6);
    assertTrue(checks >= 1 && checks <= allowed,
        threads + " parallel guesses ran " + checks + " password checks; the policy allows " + allowed);
    assertEquals(checks, outcomes.stream().filter(o -> o == Outcome.FAILED).count(), "each check is one FAILED");
    assertEquals(threads - checks, outcomes.stream().filter(o -> o == Outcome.LOCKED).count());
    assertEquals(checks, lockout.accountAttempts("alice").failures(), "exactly the checked guesses are counted");
  }

  /** The same for unknown accounts: the dummy hash is the check that is limited. */
  @ParameterizedTest
  @ValueSource(ints = {16, 64})
  void parallelGuessesOnAnUnknownAccount_areLimitedAlike(int threads) throws Exception {
    gate = new Gate(threads);
    Lockout lockout = Lockout.builder(AttemptStore.inMemory(() -> T)).clock(() -> T).build();
    LoginFlow flow = LoginFlow.builder(directory, hasher, lockout).clock(() -> T).build();
    long before = hasher.hashesComputed();
    parallel(threads, i -> flow.login(LoginRequest.of("nobody", "guess " + i, Optional.empty())));
    long checks = hasher.hashesComputed() - before;
    assertTrue(checks >= 1 && checks <= 6, threads + " guesses ran " + checks + " checks; allowed 6");
  }

  /** A policy that leaves the password alone, so that only the second factor's rule limits. */
  private static LockoutPolicy generousPassword() {
    LockoutRule loose = new LockoutRule(100, Duration.ofSeconds(1), Duration.ofSeconds(1), 0, Duration.ofHours(1));
    return LockoutPolicy.defaults().withAccountRule(loose).withFactorRule(Factor.PASSWORD, loose)
        .withSourceRule(Optional.empty());
  }

  private static long codeChecks(List<SecurityEvent> events) {
    return events.stream()
        .filter(e -> e.type().equals(SecurityEventType.MFA_FAIL) && !"locked".equals(e.details().get("reason")))
        .count();
  }

  /**
   * TOTP: 3 free failures, so 4 codes may be checked at one instant. Each checked code emits one
   * {@code authn_mfa_fail} with its reason; refused ones say {@code locked}.
   */
  @ParameterizedTest
  @ValueSource(ints = {16, 64})
  void parallelWrongTotpCodes_checkAtMostTheAllowedNumberOfCodes(int threads) throws Exception {
    Lockout lockout = Lockout.builder(AttemptStore.inMemory(() -> T)).policy(generousPassword()).clock(() -> T).build();
    // The flow reads the credential twice per login: whether it is enrolled, then to verify.
    Gate verifying = new Gate(threads);
    ThreadLocal<int[]> reads = ThreadLocal.withInitial(() -> new int[1]);
    TotpCredentialStore credentials = TotpCredentialStore.inMemory();
    TotpCredentialStore gated = new TotpCredentialStore() {
      @Override
      public Optional<dev.bulwark.authn.totp.TotpCredential> find(String accountId) {
        onNthCallInThread(reads, 2, verifying);
        return credentials.find(accountId);
      }

      @Override
      public void save(dev.bulwark.authn.totp.TotpCredential credential) {
        credentials.save(credential);
      }

      @Override
      public boolean delete(String accountId) {
        return credentials.delete(accountId);
      }
    };
    TotpAuthenticator totp = TotpAuthenticator.builder(gated, UsedTotpStepStore.inMemory(() -> T)).clock(() -> T).build();
    TotpEnrollment enrollment = totp.beginEnrollment("u-root", "ACME", "root");
    TotpVerifier generator = new TotpVerifier(enrollment.uri().settings(), UsedTotpStepStore.inMemory(() -> T), () -> T);
    Set<String> good = Set.of(generator.codeAt(enrollment.uri().secret(), T.minusSeconds(30)),
        generator.codeAt(enrollment.uri().secret(), T), generator.codeAt(enrollment.uri().secret(), T.plusSeconds(30)));
    assertTrue(totp.confirmEnrollment(enrollment, generator.codeAt(enrollment.uri().secret(), T)));
    reads.remove();
    LoginFlow flow = LoginFlow.builder(directory, hasher, lockout).totp(totp).clock(() -> T).listener(events::add).build();
    List<Outcome> outcomes = parallel(threads, i -> flow.login(LoginRequest.of("root", "root long passphrase",
        Optional.of("192.0.2.1")).withSecondFactor(SecondFactorResponse.totp(wrongCode(good, i)))));
    long checks = codeChecks(events);
    assertTrue(checks >= 1 && checks <= 4, threads + " parallel codes got " + checks + " checks; the policy allows 4");
    assertTrue(outcomes.stream().noneMatch(o -> o == Outcome.SUCCESS));
  }

  /** Six digits that are none of the {@code good} codes. */
  private static String wrongCode(Set<String> good, int i) {
    for (int k = 1; ; k++) {
      String c = String.format(java.util.Locale.ROOT, "%06d", (i * 7919L + k) % 1_000_000);
      if (!good.contains(c)) {
        return c;
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 64})
  void parallelWrongRecoveryCodes_checkAtMostTheAllowedNumberOfCodes(int threads) throws Exception {
    Lockout lockout = Lockout.builder(AttemptStore.inMemory(() -> T)).policy(generousPassword()).clock(() -> T).build();
    // The flow reads the hashes twice per login: how many remain, then to redeem.
    Gate verifying = new Gate(threads);
    ThreadLocal<int[]> reads = ThreadLocal.withInitial(() -> new int[1]);
    RecoveryCodeStore hashes = RecoveryCodeStore.inMemory();
    RecoveryCodeStore gated = new RecoveryCodeStore() {
      @Override
      public List<String> hashes(String accountId) {
        onNthCallInThread(reads, 2, verifying);
        return hashes.hashes(accountId);
      }

      @Override
      public void replaceAll(String accountId, List<String> all) {
        hashes.replaceAll(accountId, all);
      }

      @Override
      public boolean consume(String accountId, String hash) {
        return hashes.consume(accountId, hash);
      }
    };
    RecoveryCodes recovery = RecoveryCodes.builder(gated).clock(() -> T).build();
    GeneratedRecoveryCodes codes = recovery.regenerate("u-root");
    reads.remove();
    LoginFlow flow = LoginFlow.builder(directory, hasher, lockout).recoveryCodes(recovery).clock(() -> T)
        .listener(events::add).build();
    parallel(threads, i -> flow.login(LoginRequest.of("root", "root long passphrase", Optional.of("192.0.2.1"))
        .withSecondFactor(SecondFactorResponse.recoveryCode("wrong-code-" + i))));
    long checks = codeChecks(events);
    assertTrue(checks >= 1 && checks <= 4, threads + " parallel codes got " + checks + " checks; the policy allows 4");
    assertEquals(codes.codes().size(), recovery.remaining("u-root"), "no code was spent");
  }
}
