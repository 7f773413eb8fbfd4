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
import dev.bulwark.testkit.TwoNodes;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link JdbcUsedTotpStepStore} on PostgreSQL: the contract, and one code raced on two nodes. */
class JdbcUsedTotpStepStoreIT extends UsedTotpStepStoreContract {

  @RegisterExtension
  static final TwoNodes NODES = new TwoNodes("authn_totp", 8);

  @Override
  protected UsedTotpStepStore createStore(FakeClock clock) throws Exception {
    JdbcUsedTotpStepStore s = new JdbcUsedTotpStepStore(NODES.a(), clock);
    NODES.truncate("bulwark_authn_totp_steps");
    return s;
  }

  @Test
  void oneCode_submittedManyTimesOnTwoNodes_isAcceptedOnce() throws Exception {
    TotpVerifier a = new TotpVerifier(TotpSettings.DEFAULT, new JdbcUsedTotpStepStore(NODES.a(), clock), clock);
    TotpVerifier b = new TotpVerifier(TotpSettings.DEFAULT, new JdbcUsedTotpStepStore(NODES.b(), clock), clock);
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
    JdbcUsedTotpStepStore s = new JdbcUsedTotpStepStore(NODES.a(), clock);
    s.markUsed("old", 1, clock.instant().plusSeconds(30));
    s.markUsed("new", 1, clock.instant().plusSeconds(300));
    clock.advance(Duration.ofSeconds(30));
    assertEquals(1, s.purgeExpired());
  }
}
