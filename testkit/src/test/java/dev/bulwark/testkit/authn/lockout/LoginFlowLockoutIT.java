package dev.bulwark.testkit.authn.lockout;

import dev.bulwark.testing.pg.TestPool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.LoginFlow;
import dev.bulwark.authn.flow.LoginRequest;
import dev.bulwark.authn.flow.LoginResult.Outcome;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.jdbc.JdbcAttemptStore;
import dev.bulwark.authn.password.Argon2idParameters;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parallel wrong passwords against one account through two application nodes (two
 * {@link LoginFlow}s, each with its own {@link JdbcAttemptStore} and connection pool) on one
 * PostgreSQL: the password checks (Argon2id computations, counted on each node's hasher) never
 * exceed what the default policy allows one after another, 6 at one instant.
 */
class LoginFlowLockoutIT {

  private static PostgresSchema db;
  private static TestPool nodeA;
  private static TestPool nodeB;

  @BeforeAll
  static void database() throws Exception {
    db = PostgresSchema.create("authn_loginflow");
    nodeA = TestPool.of(db.dataSource(), 16);
    nodeB = TestPool.of(db.dataSource(), 16);
  }

  @AfterAll
  static void dropDatabase() throws Exception {
    nodeA.close();
    nodeB.close();
    db.close();
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 64})
  void parallelWrongPasswords_onTwoNodes_checkAtMostTheAllowedNumberOfPasswords(int threads) throws Exception {
    FakeClock clock = FakeClock.atDefaultEpoch();
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
    LoginFlow onA = LoginFlow.builder(directory, hasherA,
        Lockout.builder(new JdbcAttemptStore(nodeA, clock)).clock(clock).build()).clock(clock).build();
    LoginFlow onB = LoginFlow.builder(directory, hasherB,
        Lockout.builder(new JdbcAttemptStore(nodeB, clock)).clock(clock).build()).clock(clock).build();
    long before = hasherA.hashesComputed() + hasherB.hashesComputed();

    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Outcome>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < threads; i++) {
        LoginFlow node = i % 2 == 0 ? onA : onB;
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
      Lockout reader = Lockout.builder(new JdbcAttemptStore(nodeA, clock)).clock(clock).build();
      assertEquals(checks, reader.accountAttempts(account).failures(), "exactly the checked guesses are counted");
    } finally {
      pool.shutdownNow();
    }
  }

  private static PasswordHasher hasher() {
    return PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(64, 1, 1)).build();
  }
}
