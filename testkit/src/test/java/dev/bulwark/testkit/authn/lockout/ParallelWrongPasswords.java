package dev.bulwark.testkit.authn.lockout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.LoginFlow;
import dev.bulwark.authn.flow.LoginRequest;
import dev.bulwark.authn.flow.LoginResult.Outcome;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.password.Argon2idParameters;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.testing.FakeClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The adversary's test of a shared lockout: {@code threads} wrong passwords for one account, sent
 * at once through two application nodes (two {@link LoginFlow}s, each over its own store of the
 * shared lockout, alternating). The password checks (Argon2id computations, counted on each node's
 * hasher) never exceed what the default policy allows one after another, 6 at one instant; every
 * check answers FAILED, every other guess LOCKED, and exactly the checked guesses are counted.
 */
final class ParallelWrongPasswords {

  private ParallelWrongPasswords() {}

  /**
   * @param onA the store node A's lockout uses
   * @param onB node B's store, sharing what {@code onA} stores
   * @param reader a third store over the same, to read the count afterwards
   */
  static void checkAtMostTheAllowedNumberOfPasswords(int threads, FakeClock clock, AttemptStore onA,
      AttemptStore onB, AttemptStore reader) throws Exception {
    String account = "victim-" + threads;
    CountDownLatch arrivals = new CountDownLatch(threads);
    PasswordHasher hasherA = hasher();
    PasswordHasher hasherB = hasher();
    Map<String, Account> accounts = Map.of(account, new Account("u-1", hasherA.hash("the right passphrase"), Set.of("user")));
    // Holds every caller just before its password check until all have arrived (at most 300 ms):
    // a flow that counted only after checking would let all of them check together.
    AccountDirectory directory = username -> {
      arrivals.countDown();
      try {
        arrivals.await(300, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Optional.ofNullable(accounts.get(username));
    };
    LoginFlow nodeA = LoginFlow.builder(directory, hasherA, Lockout.builder(onA).clock(clock).build()).clock(clock).build();
    LoginFlow nodeB = LoginFlow.builder(directory, hasherB, Lockout.builder(onB).clock(clock).build()).clock(clock).build();
    long before = hasherA.hashesComputed() + hasherB.hashesComputed();

    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Outcome>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < threads; i++) {
        LoginFlow node = i % 2 == 0 ? nodeA : nodeB;
        Optional<String> source = Optional.of("198.51.100." + (i % 5));
        String guess = "wrong guess " + i;
        futures.add(pool.submit(() -> {
          start.await();
          return node.login(LoginRequest.of(account, guess, source)).outcome();
        }));
      }
      start.countDown();
      long failed = 0;
      for (Future<Outcome> f : futures) {
        Outcome o = f.get(120, TimeUnit.SECONDS);
        assertTrue(o == Outcome.FAILED || o == Outcome.LOCKED, o.toString());
        failed += o == Outcome.FAILED ? 1 : 0;
      }
      long checks = hasherA.hashesComputed() + hasherB.hashesComputed() - before;
      assertTrue(checks >= 1 && checks <= 6, threads + " parallel guesses on two nodes ran " + checks
          + " password checks; the policy allows 6");
      assertEquals(checks, failed, "each check answered FAILED, every other guess LOCKED");
      Lockout read = Lockout.builder(reader).clock(clock).build();
      assertEquals(checks, read.accountAttempts(account).failures(), "exactly the checked guesses are counted");
    } finally {
      pool.shutdownNow();
    }
  }

  private static PasswordHasher hasher() {
    return PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(64, 1, 1)).build();
  }
}
