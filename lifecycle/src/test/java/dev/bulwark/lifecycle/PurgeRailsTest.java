package dev.bulwark.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.lifecycle.spi.HostRecords;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The purge runner's rails hold for a whole run, relative to table size, and survive host failures. */
class PurgeRailsTest {

  private static final DataClass DOC = DataClass.of("doc");
  private static final Attribution OPS = Attribution.of("ops", "INC-1");

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T12:00:00Z"));
  private final InMemoryHostRecords records = HostRecords.inMemory(DOC);
  private final LifecycleStore store = LifecycleStore.inMemory(records);
  private final List<LifecycleEvent> events = new ArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();

  private Lifecycle lifecycle(Lifecycle.Builder b) {
    return b.policies(RetentionPolicies.of(RetentionPolicy.purgeAfter(DOC, Period.ofDays(90)))).clock(now::get)
        .build();
  }

  /** Adds {@code n} live records whose deadline has passed. */
  private void due(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      RecordRef r = RecordRef.of(DOC, "d" + ids.incrementAndGet());
      records.insert(r, Optional.empty(), Optional.empty());
      store.markEligible(r, now.get().minus(Duration.ofDays(100)), now.get().minus(Duration.ofDays(10)));
    }
  }

  private long remaining() {
    return store.countDue(DOC, now.get());
  }

  @Test
  void rowsThatBecomeDueDuringARun_countAgainstTheSameAllowance() throws Exception {
    due(50);
    int[] batches = {0};
    Lifecycle l = lifecycle(Lifecycle.builder(store).batchSize(10).listener(e -> {
      events.add(e);
      // While the run goes, a shortened policy makes 500 more rows due.
      if (e.type() == LifecycleEvent.Type.RECORDS_PURGED && ++batches[0] == 1) {
        due(500);
      }
    }));
    PurgeRunner runner = PurgeRunner.builder(l).checkStoreClock(false).firstRunLimit(100).build();

    PurgeRefusedException e = assertThrows(PurgeRefusedException.class, runner::run);

    assertEquals(PurgeRefusedException.Rail.UNUSUAL_VOLUME, e.rail());
    assertEquals(550 - 100, remaining(), "an unconfirmed run never purges more than its allowance");
    assertEquals(Optional.empty(), store.watermark().lastCompletedRows(),
        "a run stopped by the rail is not a completed run and does not raise the next allowance");
    assertTrue(events.stream().anyMatch(ev -> ev.type() == LifecycleEvent.Type.PURGE_GUARD_TRIPPED));

    now.updateAndGet(t -> t.plus(Duration.ofMinutes(1)));
    assertThrows(PurgeRefusedException.class, runner::run);
    assertEquals(450, remaining(), "the next run starts from the same allowance, and 450 is over it");
  }

  @Test
  void firstRun_thatWouldPurgeMostOfATable_isRefusedUnlessConfirmed() throws Exception {
    // A mapping whose deadline column is really created_at: every live row is "due".
    due(8000);
    for (int i = 0; i < 1000; i++) {
      records.insert(RecordRef.of(DOC, "live" + i), Optional.empty(), Optional.empty());
    }
    Lifecycle l = lifecycle(Lifecycle.builder(store).listener(events::add));
    PurgeRunner runner = PurgeRunner.builder(l).checkStoreClock(false).build();

    PurgeRefusedException e = assertThrows(PurgeRefusedException.class, runner::run);
    assertEquals(PurgeRefusedException.Rail.UNUSUAL_VOLUME, e.rail());
    assertTrue(e.getMessage().contains("8000 of the 9000 rows"), e.getMessage());
    assertEquals(8000, remaining());
    assertTrue(runner.dryRun().guardWarning().startsWith("UNUSUAL_VOLUME"));

    assertEquals(8000, runner.run(new PurgeRunner.Confirmation(OPS, 8000)).total());
    assertEquals(0, remaining());
  }

  @Test
  void firstRunShare_isConfigurable_andAppliesOnlyBeforeAnyCompletedRun() throws Exception {
    due(60);
    records.insert(RecordRef.of(DOC, "live"), Optional.empty(), Optional.empty());
    Lifecycle l = lifecycle(Lifecycle.builder(store));
    assertThrows(PurgeRefusedException.class,
        () -> PurgeRunner.builder(l).checkStoreClock(false).firstRunShare(0.5, 50).build().run());
    assertEquals(60, PurgeRunner.builder(l).checkStoreClock(false).firstRunShare(0.99, 50).build().run().total());
    now.updateAndGet(t -> t.plus(Duration.ofMinutes(1)));
    due(60);
    assertEquals(60, PurgeRunner.builder(l).checkStoreClock(false).firstRunShare(0.5, 50).build().run().total());
    assertThrows(IllegalArgumentException.class, () -> PurgeRunner.builder(l).firstRunShare(0, 1));
    assertThrows(IllegalArgumentException.class, () -> PurgeRunner.builder(l).firstRunShare(1.5, 1));
  }

  /** An executor that records the scheduled task so the test runs it instead of waiting. */
  private static final class CapturingExecutor extends ScheduledThreadPoolExecutor {
    Runnable task;

    CapturingExecutor() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
      task = command;
      return super.schedule((Callable<Object>) () -> null, 1, TimeUnit.DAYS);
    }
  }

  @Test
  void scheduler_survivesAnErrorFromAListener_andKeepsItsSchedule() throws Exception {
    due(3);
    int[] calls = {0};
    Lifecycle l = lifecycle(Lifecycle.builder(store).listener(e -> {
      if (e.type() == LifecycleEvent.Type.RECORDS_PURGED && calls[0]++ == 0) {
        throw new StackOverflowError("listener blew its stack");
      }
    }));
    CapturingExecutor executor = new CapturingExecutor();
    try (PurgeScheduler scheduler = new PurgeScheduler(PurgeRunner.builder(l).checkStoreClock(false).build())) {
      scheduler.start(executor, Duration.ZERO, Duration.ofMinutes(1));
      executor.task.run();
      PurgeScheduler.Outcome first = scheduler.lastOutcome().orElseThrow();
      assertTrue(first.error().isPresent());
      assertTrue(first.error().get().getCause() instanceof StackOverflowError, first.toString());

      now.updateAndGet(t -> t.plus(Duration.ofMinutes(1)));
      executor.task.run();
      assertTrue(scheduler.lastOutcome().orElseThrow().report().isPresent(), "the next scheduled run works");
      assertEquals(0, remaining());
      assertTrue(store.pendingEvidence(10).isEmpty(), "the evidence the first listener call dropped is redelivered");
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void scheduler_survivesAnErrorFromAnExpiryHandler() throws Exception {
    due(2);
    Lifecycle l = Lifecycle.builder(store).policies(RetentionPolicies.of(
            RetentionPolicy.purgeAfter(DOC, Period.ofDays(90)).withAction(RetentionPolicy.Action.ARCHIVE)))
        .clock(now::get).expiryHandler(new dev.bulwark.lifecycle.spi.ExpiryHandler() {
          @Override
          public void archive(List<dev.bulwark.lifecycle.spi.RecordState> records) {
            throw new LinkageError("archive client missing");
          }
        }).build();
    PurgeScheduler scheduler = new PurgeScheduler(PurgeRunner.builder(l).checkStoreClock(false).build());
    PurgeScheduler.Outcome o = scheduler.runOnce();
    assertSame(LinkageError.class, o.error().orElseThrow().getCause().getClass());
    assertEquals(2, remaining(), "nothing is deleted when the handler fails");
  }
}
