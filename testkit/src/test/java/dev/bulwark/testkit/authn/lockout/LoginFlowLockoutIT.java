package dev.bulwark.testkit.authn.lockout;

import dev.bulwark.authn.flow.LoginFlow;
import dev.bulwark.authn.lockout.jdbc.JdbcAttemptStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testkit.TwoNodes;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parallel wrong passwords against one account through two application nodes (two
 * {@link LoginFlow}s, each with its own {@link JdbcAttemptStore} and connection pool) on one
 * PostgreSQL: the password checks (Argon2id computations, counted on each node's hasher) never
 * exceed what the default policy allows one after another, 6 at one instant
 * ({@link ParallelWrongPasswords}).
 */
class LoginFlowLockoutIT {

  @RegisterExtension
  static final TwoNodes NODES = new TwoNodes("authn_loginflow", 16);

  @ParameterizedTest
  @ValueSource(ints = {16, 64})
  void parallelWrongPasswords_onTwoNodes_checkAtMostTheAllowedNumberOfPasswords(int threads) throws Exception {
    FakeClock clock = FakeClock.atDefaultEpoch();
    ParallelWrongPasswords.checkAtMostTheAllowedNumberOfPasswords(threads, clock, new JdbcAttemptStore(NODES.a(), clock),
        new JdbcAttemptStore(NODES.b(), clock), new JdbcAttemptStore(NODES.a(), clock));
  }
}
