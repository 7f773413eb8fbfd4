package dev.bulwark.testkit.authn.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.recovery.RecoveryCodes;
import dev.bulwark.authn.recovery.spi.RecoveryCodeStore;
import dev.bulwark.testkit.StoreContract;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link RecoveryCodeStore} must show: whole-set replacement, single
 * consumption under concurrency, per-account isolation, and that {@link RecoveryCodes} works on
 * top of it end to end.
 */
public abstract class RecoveryCodeStoreContract extends StoreContract<RecoveryCodeStore> {

  @Test
  void unknownAccount_hasNoHashes() {
    assertEquals(List.of(), store.hashes("nobody"));
    assertFalse(store.consume("nobody", "rc1$x$y"));
  }

  @Test
  void replaceAll_replacesTheWholeSet() {
    store.replaceAll("a", List.of("h1", "h2", "h3"));
    assertEquals(new HashSet<>(List.of("h1", "h2", "h3")), new HashSet<>(store.hashes("a")));
    store.replaceAll("a", List.of("h4"));
    assertEquals(List.of("h4"), store.hashes("a"));
    assertFalse(store.consume("a", "h1"));
  }

  @Test
  void consume_removesOnce_andOnlyForThatAccount() {
    store.replaceAll("a", List.of("h1", "h2"));
    store.replaceAll("b", List.of("h1"));
    assertTrue(store.consume("a", "h1"));
    assertFalse(store.consume("a", "h1"));
    assertEquals(List.of("h2"), store.hashes("a"));
    assertEquals(List.of("h1"), store.hashes("b"));
  }

  @Test
  void concurrentConsumers_ofOneHash_haveOneWinner() throws Exception {
    store.replaceAll("a", List.of("h1", "h2"));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < 32; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          return store.consume("a", "h1");
        }));
      }
      start.countDown();
      int wins = 0;
      for (Future<Boolean> f : futures) {
        wins += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertEquals(1, wins);
      assertEquals(List.of("h2"), store.hashes("a"));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void recoveryCodes_workEndToEnd_onThisStore() {
    RecoveryCodes codes = RecoveryCodes.builder(store).clock(clock).build();
    List<String> set = codes.regenerate("acct").codes();
    assertTrue(codes.redeem("acct", set.get(1)));
    assertFalse(codes.redeem("acct", set.get(1)));
    assertEquals(set.size() - 1, codes.remaining("acct"));
    codes.regenerate("acct");
    assertFalse(codes.redeem("acct", set.get(2)));
  }
}
