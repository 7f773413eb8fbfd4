package dev.bulwark.testkit.authn.totp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.authn.totp.TotpAlgorithm;
import dev.bulwark.authn.totp.TotpSecret;
import dev.bulwark.authn.totp.TotpSettings;
import dev.bulwark.authn.totp.TotpVerification;
import dev.bulwark.authn.totp.TotpVerifier;
import dev.bulwark.authn.totp.jdbc.JdbcUsedTotpStepStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import dev.bulwark.testing.pg.TestPool;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link JdbcUsedTotpStepStore} on PostgreSQL: the contract, and one code raced on two nodes. */
class JdbcUsedTotpStepStoreIT extends UsedTotpStepStoreContract {

  private static PostgresSchema db;
  private static TestPool nodeA;
  private static TestPool nodeB;

  @BeforeAll
  static void database() throws Exception {
    db = PostgresSchema.create("authn_totp");
    nodeA = TestPool.of(db.dataSource(), 8);
    nodeB = TestPool.of(db.dataSource(), 8);
  }

  @AfterAll
  static void dropDatabase() throws Exception {
    nodeA.close();
    nodeB.close();
    db.close();
  }

  @Override
  protected UsedTotpStepStore createStore(FakeClock clock) throws Exception {
    JdbcUsedTotpStepStore s = new JdbcUsedTotpStepStore(nodeA, clock);
    try (Connection c = nodeA.getConnection(); Statement st = c.createStatement()) {
      st.execute("TRUNCATE bulwark_authn_totp_steps");
    }
    return s;
  }

  @Test
  void oneCode_submittedManyTimesOnTwoNodes_isAcceptedOnce() throws Exception {
    TotpVerifier a = new TotpVerifier(TotpSettings.DEFAULT, new JdbcUsedTotpStepStore(nodeA, clock), clock);
    TotpVerifier b = new TotpVerifier(TotpSettings.DEFAULT, new JdbcUsedTotpStepStore(nodeB, clock), clock);
    TotpSecret secret = TotpSecret.generate(TotpAlgorithm.SHA1, new SecureRandom());
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      for (int round = 0; round < 5; round++) {
        clock.advance(Duration.ofSeconds(30));
        String code = a.codeAt(secret, clock.instant());
        CountDownLatch start = new CountDownLatch(1);
        List<Future<TotpVerification>> futures = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
          TotpVerifier node = i % 2 == 0 ? a : b;
          futures.add(pool.submit(() -> {
            start.await();
            return node.verify("cred-1", secret, code);
          }));
        }
        start.countDown();
        int accepted = 0;
        int replayed = 0;
        for (Future<TotpVerification> f : futures) {
          TotpVerification v = f.get(60, TimeUnit.SECONDS);
          accepted += v.accepted() ? 1 : 0;
          replayed += v.outcome() == TotpVerification.Outcome.REPLAYED ? 1 : 0;
        }
        assertEquals(1, accepted, "round " + round);
        assertEquals(31, replayed);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void purgeExpired_deletesOnlyExpiredRecords() {
    JdbcUsedTotpStepStore s = new JdbcUsedTotpStepStore(nodeA, clock);
    s.markUsed("old", 1, clock.instant().plusSeconds(30));
    s.markUsed("new", 1, clock.instant().plusSeconds(300));
    clock.advance(Duration.ofSeconds(30));
    assertEquals(1, s.purgeExpired());
  }
}
