package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.StoredEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** appendAsync: completion only after the store made the event durable, order, back-pressure, failures, close. */
class AuditLogAsyncTest {

  static final String ORIGIN = "example.com/audit/async";
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  final ChainKey chainKey = ChainKey.generate();
  @TempDir Path tmp;

  AuditLog.Builder builder(AuditStore store) {
    return AuditLog.builder(ORIGIN, store).clock(now::get).signer(signer).chainKey(chainKey);
  }

  VerificationReport verify(AuditStore store) {
    return AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).chainKey(chainKey).build().verify(store);
  }

  /** A store whose append waits at a gate (a slow fsync) and can be made to fail. */
  static final class GatedStore extends AuditLogTest.FailingStore {
    final AtomicBoolean gated = new AtomicBoolean();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch open = new CountDownLatch(1);
    final Set<Long> durable = java.util.concurrent.ConcurrentHashMap.newKeySet();

    GatedStore(AtomicBoolean broken) {
      super(new InMemoryAuditStore(), broken);
    }

    @Override
    public void append(List<StoredEvent> batch) {
      if (gated.get()) {
        entered.countDown();
        try {
          open.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      super.append(batch);
      batch.forEach(e -> durable.add(e.seq()));
    }
  }

  @Test
  void futuresComplete_inCallOrder_andTheLogVerifies() throws Exception {
    try (FileAuditStore store = FileAuditStore.open(tmp.resolve("log"))) {
      List<CompletableFuture<Appended>> fs = new ArrayList<>();
      try (AuditLog log = builder(store).build()) {
        for (int i = 0; i < 500; i++) {
          fs.add(log.appendAsync(TestEvents.event(i)));
        }
        for (int i = 0; i < fs.size(); i++) {
          assertEquals(i, fs.get(i).get(10, TimeUnit.SECONDS).seq());
        }
      }
    }
    try (FileAuditStore ro = FileAuditStore.openReadOnly(tmp.resolve("log"))) {
      VerificationReport r = verify(ro);
      assertTrue(r.intact(), r.summary());
      assertEquals(500, r.size());
      assertEquals(500, r.lastCheckpointSize(), "close() signs the final checkpoint");
    }
  }

  @Test
  void aFuture_completesOnlyAfterTheStoreReturned() throws Exception {
    GatedStore store = new GatedStore(new AtomicBoolean());
    try (AuditLog log = builder(store).build()) {
      store.gated.set(true);
      CompletableFuture<Appended> f = log.appendAsync(TestEvents.event(1));
      assertTrue(store.entered.await(10, TimeUnit.SECONDS));
      assertFalse(f.isDone(), "the store has not made the event durable yet");
      store.open.countDown();
      Appended a = f.get(10, TimeUnit.SECONDS);
      assertTrue(store.durable.contains(a.seq()));
    }
  }

  @Test
  void backPressure_blocksAppendAsync_untilEarlierAppendsComplete() throws Exception {
    GatedStore store = new GatedStore(new AtomicBoolean());
    try (AuditLog log = builder(store).maxOutstanding(2).build()) {
      store.gated.set(true);
      CompletableFuture<Appended> first = log.appendAsync(TestEvents.event(1));
      assertTrue(store.entered.await(10, TimeUnit.SECONDS));
      CompletableFuture<Appended> second = log.appendAsync(TestEvents.event(2)); // the second permit
      AtomicReference<CompletableFuture<Appended>> third = new AtomicReference<>();
      Thread t = new Thread(() -> third.set(log.appendAsync(TestEvents.event(3))));
      t.start();
      while (t.getState() != Thread.State.WAITING) {
        Thread.onSpinWait(); // blocked on the back-pressure permit
      }
      assertEquals(null, third.get());
      store.open.countDown();
      t.join();
      assertEquals(List.of(0L, 1L, 2L), List.of(first.get().seq(), second.get().seq(), third.get().get().seq()));
    }
  }

  @Test
  void storeFailure_completesTheFuturesExceptionally_andTheChainContinues() throws Exception {
    AtomicBoolean broken = new AtomicBoolean();
    GatedStore store = new GatedStore(broken);
    try (AuditLog log = builder(store).build()) {
      assertEquals(0, log.appendAsync(TestEvents.event(0)).get().seq());
      broken.set(true);
      CompletableFuture<Appended> lost = log.appendAsync(TestEvents.event(1));
      CompletionException e = assertThrows(CompletionException.class, lost::join);
      assertInstanceOf(AuditException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("No space left"), e.getCause().getMessage());
      broken.set(false);
      assertEquals(1, log.appendAsync(TestEvents.event(2)).get().seq());
      assertEquals(2, log.append(TestEvents.event(3)).seq());
    }
    VerificationReport r = verify(store);
    assertTrue(r.intact(), r.summary());
    assertEquals(3, r.size());
  }

  @Test
  void close_storesEverythingQueued_andRefusesLaterAppends() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    AuditLog log = builder(store).build();
    List<CompletableFuture<Appended>> fs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      fs.add(log.appendAsync(TestEvents.event(i)));
    }
    log.close();
    for (CompletableFuture<Appended> f : fs) {
      assertTrue(f.isDone() && !f.isCompletedExceptionally());
    }
    assertThrows(IllegalStateException.class, () -> log.appendAsync(TestEvents.event(1)));
    assertThrows(IllegalStateException.class, () -> log.append(TestEvents.event(1)));
    VerificationReport r = verify(store);
    assertTrue(r.intact(), r.summary());
    assertEquals(200, r.size());
  }

  @Test
  void customActions_areRefusedAtTheCall() {
    try (AuditLog log = builder(new InMemoryAuditStore()).build()) {
      AuditEvent custom = AuditEvent.builder(Action.custom("x_y"), Actor.user("u", "pw")).build(now::get);
      assertThrows(IllegalArgumentException.class, () -> log.appendAsync(custom));
    }
  }

  @Test
  void manyThreads_mixingSyncAndAsync_produceOneLinearChain() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    int threads = 12;
    int each = 200;
    Set<Long> seqs = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (AuditLog log = builder(store).maxBatch(7).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * each;
        boolean async = t % 2 == 0;
        fs.add(pool.submit(() -> {
          List<CompletableFuture<Appended>> mine = new ArrayList<>();
          for (int i = 0; i < each; i++) {
            if (async) {
              mine.add(log.appendAsync(TestEvents.event(base + i)));
            } else {
              seqs.add(log.append(TestEvents.event(base + i)).seq());
            }
          }
          long last = -1;
          for (CompletableFuture<Appended> f : mine) {
            long s = f.join().seq();
            assertTrue(s > last, "one thread's async appends keep their order");
            last = s;
            seqs.add(s);
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      pool.shutdown();
    }
    assertEquals(threads * each, seqs.size());
    Set<Long> expected = new HashSet<>();
    for (long i = 0; i < threads * each; i++) {
      expected.add(i);
    }
    assertEquals(expected, seqs);
    VerificationReport r = verify(store);
    assertTrue(r.intact(), r.summary());
    assertEquals(threads * each, r.size());
  }

  @Test
  void checkpointFailure_showsInHealth_andTheNextAppendRetries() {
    AtomicBoolean failCheckpoints = new AtomicBoolean(true);
    InMemoryAuditStore inner = new InMemoryAuditStore();
    AuditStore store = new AuditLogTest.FailingStore(inner, new AtomicBoolean()) {
      @Override
      public void putCheckpoint(String note) {
        if (failCheckpoints.get()) {
          throw new AuditStoreException("checkpoint disk full");
        }
        super.putCheckpoint(note);
      }
    };
    failCheckpoints.set(false);
    AuditLog log = builder(store).checkpointEvery(3, java.time.Duration.ofHours(1)).build();
    failCheckpoints.set(true);
    for (int i = 0; i < 3; i++) {
      log.append(TestEvents.event(i));
    }
    log.awaitCheckpoints();
    assertTrue(log.health().lastAnchorError().orElseThrow().contains("checkpoint disk full"));
    failCheckpoints.set(false);
    log.append(TestEvents.event(3));
    log.awaitCheckpoints();
    assertEquals(4, log.health().lastCheckpointSize());
    log.close();
    assertTrue(verify(inner).intact());
  }
}
