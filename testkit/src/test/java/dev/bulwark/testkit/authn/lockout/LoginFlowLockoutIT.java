package dev.bulwark.testkit.authn.lockout;

import dev.bulwark.authn.flow.LoginFlow;
import dev.bulwark.authn.lockout.jdbc.JdbcAttemptStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import dev.bulwark.testing.pg.TestPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
    ParallelWrongPasswords.checkAtMostTheAllowedNumberOfPasswords(threads, clock, new JdbcAttemptStore(nodeA, clock),
        new JdbcAttemptStore(nodeB, clock), new JdbcAttemptStore(nodeA, clock));
  }
}
