package dev.bulwark.testkit.authn.webauthn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.authn.webauthn.spi.ChallengeStore;
import dev.bulwark.testkit.StoreContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The behaviour every WebAuthn {@link ChallengeStore} must have: expiring, single-use entries. */
public abstract class ChallengeStoreContract extends StoreContract<ChallengeStore> {

  @Test
  void take_returnsOnce() {
    store.put("c1", "{\"a\":1}", clock.instant().plus(Duration.ofMinutes(5)));
    assertEquals(Optional.of("{\"a\":1}"), store.take("c1", clock.instant()));
    assertEquals(Optional.empty(), store.take("c1", clock.instant()));
    assertEquals(Optional.empty(), store.take("never", clock.instant()));
  }

  @Test
  void expired_isNeverReturned() {
    store.put("c1", "{}", clock.instant().plus(Duration.ofMinutes(5)));
    clock.advance(Duration.ofMinutes(5));
    assertEquals(Optional.empty(), store.take("c1", clock.instant()));
  }

  @Test
  void racingTakes_haveOneWinner() throws Exception {
    store.put("c1", "{}", clock.instant().plus(Duration.ofMinutes(5)));
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        results.add(pool.submit(() -> {
          go.await();
          return store.take("c1", clock.instant()).isPresent();
        }));
      }
      go.countDown();
      int wins = 0;
      for (Future<Boolean> f : results) {
        wins += f.get() ? 1 : 0;
      }
      assertEquals(1, wins);
    } finally {
      pool.shutdownNow();
    }
  }

  /** A ceremony stored with its source is taken like any other, once. */
  @Test
  void putWithSource_isTakenOnce() {
    java.time.Instant t = clock.instant();
    store.put("with-source", "{\"s\":1}", t.plusSeconds(60), java.util.Optional.of("192.0.2.44"));
    org.junit.jupiter.api.Assertions.assertEquals(java.util.Optional.of("{\"s\":1}"), store.take("with-source", t));
    org.junit.jupiter.api.Assertions.assertEquals(java.util.Optional.empty(), store.take("with-source", t));
  }
}
