package dev.bulwark.testkit.authn.totp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.testkit.StoreContract;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link UsedTotpStepStore} must show: a step is accepted once, steps only
 * move forward, records last until their expiry, credentials are independent, and concurrent
 * callers racing on one step get exactly one acceptance.
 */
public abstract class UsedTotpStepStoreContract extends StoreContract<UsedTotpStepStore> {

  protected int concurrencyThreads() {
    return 8;
  }

  private Instant in(Duration d) {
    return clock.instant().plus(d);
  }

  @Test
  void aStep_isAcceptedOnce() {
    assertTrue(store.markUsed("c", 100, in(Duration.ofMinutes(2))));
    assertFalse(store.markUsed("c", 100, in(Duration.ofMinutes(2))));
  }

  @Test
  void steps_onlyMoveForward() {
    assertTrue(store.markUsed("c", 100, in(Duration.ofMinutes(2))));
    assertFalse(store.markUsed("c", 99, in(Duration.ofMinutes(2))));
    assertTrue(store.markUsed("c", 101, in(Duration.ofMinutes(2))));
    assertFalse(store.markUsed("c", 100, in(Duration.ofMinutes(2))));
  }

  @Test
  void records_lastUntilExpiry() {
    assertTrue(store.markUsed("c", 100, in(Duration.ofSeconds(90))));
    clock.advance(Duration.ofSeconds(90).minusMillis(1));
    assertFalse(store.markUsed("c", 100, in(Duration.ofSeconds(90))));
    clock.advance(Duration.ofMillis(1));
    assertTrue(store.markUsed("c", 100, in(Duration.ofSeconds(90))), "an expired record is forgotten");
  }

  @Test
  void credentials_areIndependent() {
    assertTrue(store.markUsed("alice", 100, in(Duration.ofMinutes(2))));
    assertTrue(store.markUsed("bob", 100, in(Duration.ofMinutes(2))));
    assertTrue(store.markUsed("Alice", 100, in(Duration.ofMinutes(2))));
  }

  @Test
  void forget_allowsTheStepAgain() {
    assertTrue(store.markUsed("c", 100, in(Duration.ofMinutes(2))));
    store.forget("c");
    assertTrue(store.markUsed("c", 100, in(Duration.ofMinutes(2))));
    store.forget("never-used");
  }

  @Test
  void negativeAndLargeSteps_work() {
    assertTrue(store.markUsed("c", -5, in(Duration.ofMinutes(2))));
    assertTrue(store.markUsed("c", Long.MAX_VALUE / 2, in(Duration.ofMinutes(2))));
    assertFalse(store.markUsed("c", 0, in(Duration.ofMinutes(2))));
  }

  @Test
  void concurrentCallers_racingOnEachStep_getOneAcceptance() throws Exception {
    int threads = concurrencyThreads();
    int steps = 100;
    AtomicIntegerArray accepted = new AtomicIntegerArray(steps);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    Instant expiry = in(Duration.ofHours(1));
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          for (int s = 0; s < steps; s++) {
            if (store.markUsed("race", s, expiry)) {
              accepted.incrementAndGet(s);
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
      for (int s = 0; s < steps; s++) {
        assertTrue(accepted.get(s) <= 1, "step " + s + " accepted " + accepted.get(s) + " times");
      }
      assertFalse(store.markUsed("race", steps - 1, expiry), "the last step is recorded");
      // Nothing above the last step is ever offered, so exactly one caller wins it.
      assertEquals(1, accepted.get(steps - 1));
    } finally {
      pool.shutdownNow();
    }
  }
}
