package dev.bulwark.testkit.sso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.sso.spi.ReplayCache;
import dev.bulwark.testkit.StoreContract;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every SSO {@link ReplayCache} must have: an (issuer, ID) pair is used once until it
 * expires, on every node that shares the cache, and of many concurrent first uses exactly one wins.
 * A store shared by several nodes overrides {@link #secondNode()}. The store must hold at least 64
 * live entries.
 */
public abstract class ReplayCacheContract extends StoreContract<ReplayCache> {

  /** Another instance over the same data ("another node"); by default the same instance. */
  protected ReplayCache secondNode() throws Exception {
    return store;
  }

  /** Threads racing for one ID, half of them on {@link #secondNode()}; 8 by default. */
  protected int concurrencyThreads() {
    return 8;
  }

  @Test
  void secondUse_isRefused_onEveryNode_untilExpiry() throws Exception {
    ReplayCache other = secondNode();
    Instant exp = clock.instant().plusSeconds(60);
    assertTrue(store.firstUse("idp", "a", exp));
    assertFalse(store.firstUse("idp", "a", exp));
    assertFalse(other.firstUse("idp", "a", exp), "another node sees the use");
    assertTrue(other.firstUse("other-idp", "a", exp), "IDs are per issuer");
    clock.advance(Duration.ofSeconds(61));
    assertTrue(other.firstUse("idp", "a", clock.instant().plusSeconds(60)), "an expired entry is taken over");
  }

  @Test
  void issuerAndIdBoundary_cannotCollide() {
    Instant exp = clock.instant().plusSeconds(60);
    assertTrue(store.firstUse("ab", "c", exp));
    assertTrue(store.firstUse("a", "bc", exp));
  }

  @Test
  void concurrentUses_exactlyOneWins() throws Exception {
    ReplayCache[] nodes = {store, secondNode()};
    Instant exp = clock.instant().plusSeconds(60);
    int threads = concurrencyThreads();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 20; round++) {
        String id = "id-" + round;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          ReplayCache node = nodes[t % 2];
          fs.add(pool.submit(() -> {
            go.await();
            return node.firstUse("idp", id, exp);
          }));
        }
        go.countDown();
        int wins = 0;
        for (Future<Boolean> f : fs) {
          wins += f.get() ? 1 : 0;
        }
        assertEquals(1, wins, "round " + round);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
