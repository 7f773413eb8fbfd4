package dev.bulwark.lifecycle;

import dev.bulwark.lifecycle.spi.PurgeBatchRequest;
import dev.bulwark.lifecycle.spi.RecordState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Finds what is due and purges it in bounded transactions ({@code batchSize} rows each, 1,000 by
 * default), with safety rails.
 *
 * <p>A run is idempotent and resumable: each batch commits on its own with its evidence, so a
 * crash loses at most the batch in flight (rolled back), and the next run continues with what
 * is still due. Several nodes may run at once: the store hands each row to one of them.
 *
 * <p>Safety rails (each refusal is recorded as {@code PURGE_GUARD_TRIPPED} and nothing is deleted):
 * <ul>
 *   <li>the clock reads earlier than the latest run's start ({@code CLOCK_BEHIND_LAST_RUN});
 *   <li>the clock reads more than {@code maxClockLead} ahead of the store's reference time, or
 *       more than {@code maxGapSinceLastRun} after the latest run ({@code CLOCK_FAR_AHEAD});
 *   <li>more rows are due than {@code volumeFactor} times the last completed run (at least
 *       {@code volumeFloor}), or than {@code firstRunLimit} before any run completed ({@code UNUSUAL_VOLUME}).
 *       The allowance holds for the whole run: rows that become due while it runs count against
 *       it, an unconfirmed run never purges more, and a run stopped by it is not recorded as
 *       completed (it does not raise the next run's allowance);
 *   <li>before any run completed, a class would lose more than {@code firstRunShare} of its
 *       table's rows (and more than {@code firstRunShareFloor} rows) ({@code UNUSUAL_VOLUME}):
 *       a mapping pointing the deadline at the wrong column would otherwise purge live data.
 * </ul>
 * An operator lifts them for one run with {@link #run(Confirmation)}, which is recorded.
 *
 * <p>Thread-safe.
 */
public final class PurgeRunner {

  /** The runner's attribution in evidence when none is configured. */
  private static final int MIN_ADAPTIVE_BATCH = 10;

  public static final Attribution DEFAULT_ACTOR = Attribution.of("bulwark-purge-runner", "retention policy");

  private final Lifecycle lifecycle;
  private final Attribution actor;
  private final Duration maxClockLead;
  private final Duration maxGapSinceLastRun;
  private final long volumeFactor;
  private final long volumeFloor;
  private final long firstRunLimit;
  private final double firstRunShare;
  private final long firstRunShareFloor;
  private final int sampleSize;
  private final boolean checkStoreClock;
  private final long targetBatchNanos;
  private final LongSupplier ticker;

  private PurgeRunner(Builder b) {
    this.lifecycle = b.lifecycle;
    this.actor = b.actor;
    this.maxClockLead = b.maxClockLead;
    this.maxGapSinceLastRun = b.maxGapSinceLastRun;
    this.volumeFactor = b.volumeFactor;
    this.volumeFloor = b.volumeFloor;
    this.firstRunLimit = b.firstRunLimit;
    this.firstRunShare = b.firstRunShare;
    this.firstRunShareFloor = b.firstRunShareFloor;
    this.sampleSize = b.sampleSize;
    this.checkStoreClock = b.checkStoreClock;
    this.targetBatchNanos = b.targetBatchTime.toNanos();
    this.ticker = b.ticker;
  }

  public static Builder builder(Lifecycle lifecycle) {
    return new Builder(lifecycle);
  }

  /** Safety-rail settings; defaults in brackets. */
  public static final class Builder {
    private final Lifecycle lifecycle;
    private Attribution actor = DEFAULT_ACTOR;
    private Duration maxClockLead = Duration.ofMinutes(5);
    private Duration maxGapSinceLastRun = Duration.ofDays(31);
    private long volumeFactor = 10;
    private long volumeFloor = 10_000;
    private long firstRunLimit = 100_000;
    private double firstRunShare = 0.5;
    private long firstRunShareFloor = 1_000;
    private int sampleSize = 20;
    private boolean checkStoreClock = true;
    private Duration targetBatchTime = Duration.ofMillis(500);
    private LongSupplier ticker = System::nanoTime;

    private Builder(Lifecycle lifecycle) {
      this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
    }

    /** Who the evidence names as running the purge [bulwark-purge-runner]. */
    public Builder actor(Attribution a) {
      this.actor = Objects.requireNonNull(a, "actor");
      return this;
    }

    /** How far the clock may run ahead of the store's reference time [5 minutes]. */
    public Builder maxClockLead(Duration d) {
      this.maxClockLead = positive(d, "maxClockLead", Duration.ofDays(1));
      return this;
    }

    /** How long after the latest run a run is still plausible [31 days]. */
    public Builder maxGapSinceLastRun(Duration d) {
      this.maxGapSinceLastRun = positive(d, "maxGapSinceLastRun", Duration.ofDays(3660));
      return this;
    }

    /** A run may purge up to {@code factor} x the last run's rows, and at least {@code floor} [10, 10,000]. */
    public Builder volumeLimit(long factor, long floor) {
      if (factor < 1 || floor < 1) {
        throw new IllegalArgumentException("volume factor and floor must be >= 1");
      }
      this.volumeFactor = factor;
      this.volumeFloor = floor;
      return this;
    }

    /** The most rows the first run may purge without confirmation [100,000]. */
    public Builder firstRunLimit(long rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("firstRunLimit must be >= 1");
      }
      this.firstRunLimit = rows;
      return this;
    }

    /**
     * Before any run completed, the largest share of a class's table a run may purge without
     * confirmation, once more than {@code floorRows} rows are due [0.5, 1,000].
     */
    public Builder firstRunShare(double share, long floorRows) {
      if (!(share > 0 && share <= 1) || floorRows < 0) {
        throw new IllegalArgumentException("share must be in (0, 1] and floorRows >= 0");
      }
      this.firstRunShare = share;
      this.firstRunShareFloor = floorRows;
      return this;
    }

    /**
     * Whether to compare the clock with the store's reference time (a database's clock) [true].
     * Turn off only for tests that move a fake clock far from the real time.
     */
    public Builder checkStoreClock(boolean check) {
      this.checkStoreClock = check;
      return this;
    }

    /**
     * The time a batch transaction should stay under [500 ms]. A run starts at an eighth of the
     * lifecycle's batch size (at least 10 rows); a slower batch halves the next batch's size (down
     * to 10 rows), a batch faster than half of it doubles it (up to the lifecycle's batch size).
     * Keeps lock hold times short on a cold start and when the database is loaded.
     */
    public Builder targetBatchTime(Duration d) {
      this.targetBatchTime = positive(d, "targetBatchTime", Duration.ofMinutes(1));
      return this;
    }

    /** The monotonic timer that measures batches (tests replace it). */
    Builder ticker(LongSupplier nanoTime) {
      this.ticker = Objects.requireNonNull(nanoTime, "ticker");
      return this;
    }

    /** Due records a dry run lists per class [20]. */
    public Builder sampleSize(int n) {
      if (n < 0 || n > PurgeBatchRequest.MAX_LIMIT) {
        throw new IllegalArgumentException("sampleSize must be between 0 and " + PurgeBatchRequest.MAX_LIMIT);
      }
      this.sampleSize = n;
      return this;
    }

    private static Duration positive(Duration d, String what, Duration max) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero() || d.compareTo(max) > 0) {
        throw new IllegalArgumentException(what + " must be positive and at most " + max);
      }
      return d;
    }

    public PurgeRunner build() {
      return new PurgeRunner(this);
    }
  }

  /**
   * An operator's confirmation that lifts the safety rails for one run, up to {@code maxRows}.
   *
   * @param by the operator and their reason
   * @param maxRows the most rows the confirmed run may purge
   */
  public record Confirmation(Attribution by, long maxRows) {
    public Confirmation {
      Objects.requireNonNull(by, "by");
      if (maxRows < 1) {
        throw new IllegalArgumentException("maxRows must be >= 1");
      }
    }
  }

  /** Runs with all safety rails. */
  public PurgeReport run() throws PurgeRefusedException {
    return execute(Optional.empty());
  }

  /** Runs with the safety rails lifted by an operator, purging at most {@code confirmation.maxRows()}. */
  public PurgeReport run(Confirmation confirmation) throws PurgeRefusedException {
    return execute(Optional.of(Objects.requireNonNull(confirmation, "confirmation")));
  }

  /** Reports what a run would purge now, and which rail it would trip; deletes nothing. */
  public PurgeReport dryRun() {
    Instant now = lifecycle.now();
    LifecycleStore store = lifecycle.store();
    Map<DataClass, Long> counts = new LinkedHashMap<>();
    List<RecordState> sample = new ArrayList<>();
    for (DataClass c : classes()) {
      counts.put(c, store.countDue(c, now));
      if (sampleSize > 0) {
        sample.addAll(store.due(c, now, sampleSize));
      }
    }
    String warning = "";
    try {
      LifecycleStore.Watermark mark = store.watermark();
      checkClock(now, mark, reference(store));
      checkVolume(counts.values().stream().mapToLong(Long::longValue).sum(), mark);
      checkShare(counts, mark);
    } catch (PurgeRefusedException e) {
      warning = e.rail() + ": " + e.getMessage();
    }
    return new PurgeReport("dry-run", true, now, counts, sample, 0, Duration.ZERO, warning);
  }

  private List<DataClass> classes() {
    return lifecycle.store().dataClasses().stream().sorted(Comparator.comparing(DataClass::name)).toList();
  }

  private PurgeReport execute(Optional<Confirmation> confirmation) throws PurgeRefusedException {
    Instant now = lifecycle.now();
    LifecycleStore store = lifecycle.store();
    String runId = UUID.randomUUID().toString();
    LifecycleStore.Watermark mark = store.watermark();
    long limit = Long.MAX_VALUE;
    try {
      if (confirmation.isEmpty()) {
        checkClock(now, mark, reference(store));
        Map<DataClass, Long> dueByClass = new LinkedHashMap<>();
        for (DataClass c : classes()) {
          dueByClass.put(c, store.countDue(c, now));
        }
        checkVolume(dueByClass.values().stream().mapToLong(Long::longValue).sum(), mark);
        checkShare(dueByClass, mark);
        // The allowance holds for the whole run, whatever becomes due meanwhile.
        limit = allowance(mark);
      } else {
        limit = confirmation.get().maxRows();
        lifecycle.emit(LifecycleEvent.Type.PURGE_CONFIRMED, confirmation.get().by(),
            Map.of("run", runId, "max_rows", Long.toString(limit), "at", now.toString()));
      }
    } catch (PurgeRefusedException e) {
      lifecycle.emit(LifecycleEvent.Type.PURGE_GUARD_TRIPPED, actor,
          Map.of("run", runId, "rail", e.rail().name(), "message", e.getMessage()));
      throw e;
    }
    store.advanceWatermark(now);
    redeliverPending(store);
    Map<DataClass, Long> counts = new LinkedHashMap<>();
    int batches = 0;
    long total = 0;
    long maxNanos = 0;
    List<UUID> delivered = new ArrayList<>();
    try {
      // Slow start: the first batches of a run run cold (class loading, JIT, plan caches) while
      // their transaction holds row locks, so start at an eighth of the size and double from there.
      int batchSize = Math.max(Math.min(MIN_ADAPTIVE_BATCH, lifecycle.batchSize()), lifecycle.batchSize() / 8);
      for (DataClass c : classes()) {
        RetentionPolicy policy = lifecycle.policy(c);
        long done = 0;
        while (total < limit) {
          int size = (int) Math.min(batchSize, limit - total);
          long start = ticker.getAsLong();
          Optional<DeletionEvidence> e = store.purgeBatch(new PurgeBatchRequest(policy, now, Optional.empty(), size,
              actor, "purge-run:" + runId, lifecycle.expiryHandler()));
          long elapsed = ticker.getAsLong() - start;
          maxNanos = Math.max(maxNanos, elapsed);
          // The monotonic timer only sizes batches; deadlines and rails use the injected clock.
          if (elapsed > targetBatchNanos) {
            batchSize = Math.max(MIN_ADAPTIVE_BATCH, batchSize / 2);
          } else if (elapsed < targetBatchNanos / 2) {
            batchSize = Math.min(lifecycle.batchSize(), batchSize * 2);
          }
          if (e.isEmpty()) {
            break;
          }
          if (e.get().kind() == DeletionEvidence.Kind.PURGE_FAILED) {
            // Rows the database refused to delete: set aside for this run (the store skips them),
            // reported, and the run goes on with the rest.
            if (lifecycle.announce(e.get())) {
              delivered.add(e.get().id());
            }
            continue;
          }
          batches++;
          done += e.get().count();
          total += e.get().count();
          if (lifecycle.announce(e.get())) {
            // Marked in groups: one extra commit per 100 batches, not per batch. After a crash
            // the unmarked ones are delivered again (at least once, as the listener contract says).
            delivered.add(e.get().id());
            if (delivered.size() >= 100) {
              store.markDelivered(delivered);
              delivered.clear();
            }
          }
        }
        counts.put(c, done);
      }
    } catch (RuntimeException e) {
      if (!delivered.isEmpty()) {
        store.markDelivered(delivered);
      }
      lifecycle.emit(LifecycleEvent.Type.PURGE_RUN_FAILED, actor, Map.of("run", runId,
          "purged", Long.toString(total), "error", e.getClass().getSimpleName()));
      throw e;
    }
    if (!delivered.isEmpty()) {
      store.markDelivered(delivered);
    }
    if (confirmation.isEmpty() && total >= limit) {
      long stillDue = 0;
      for (DataClass c : classes()) {
        stillDue += store.countDue(c, now);
      }
      if (stillDue > 0) {
        PurgeRefusedException e = new PurgeRefusedException(PurgeRefusedException.Rail.UNUSUAL_VOLUME,
            "the run purged " + total + " rows, the most it may without an operator's confirmation, and "
                + stillDue + " more became due while it ran; stopped (not recorded as a completed run)");
        lifecycle.emit(LifecycleEvent.Type.PURGE_GUARD_TRIPPED, actor,
            Map.of("run", runId, "rail", e.rail().name(), "message", e.getMessage(), "purged", Long.toString(total)));
        throw e;
      }
    }
    redeliverPending(store);
    store.recordRunCompleted(total);
    lifecycle.emit(LifecycleEvent.Type.PURGE_RUN_COMPLETED, actor,
        Map.of("run", runId, "purged", Long.toString(total), "batches", Integer.toString(batches), "at", now.toString()));
    return new PurgeReport(runId, false, now, counts, List.of(), batches, Duration.ofNanos(maxNanos), "");
  }

  private Optional<Instant> reference(LifecycleStore store) {
    return checkStoreClock ? store.referenceTime() : Optional.empty();
  }

  private void redeliverPending(LifecycleStore store) {
    while (true) {
      List<DeletionEvidence> pending = store.pendingEvidence(100);
      boolean progress = false;
      for (DeletionEvidence e : pending) {
        progress |= lifecycle.deliver(e);
      }
      if (pending.size() < 100 || !progress) {
        return;
      }
    }
  }

  private void checkClock(Instant now, LifecycleStore.Watermark mark, Optional<Instant> reference)
      throws PurgeRefusedException {
    if (mark.lastRunStartedAt().isPresent() && now.isBefore(mark.lastRunStartedAt().get())) {
      throw new PurgeRefusedException(PurgeRefusedException.Rail.CLOCK_BEHIND_LAST_RUN,
          "clock reads " + now + ", before the latest purge run at " + mark.lastRunStartedAt().get());
    }
    if (reference.isPresent()) {
      Instant ref = reference.get();
      if (now.isAfter(ref.plus(maxClockLead))) {
        throw new PurgeRefusedException(PurgeRefusedException.Rail.CLOCK_FAR_AHEAD,
            "clock reads " + now + ", more than " + maxClockLead + " ahead of the store's clock " + ref);
      }
      if (now.isBefore(ref.minus(maxClockLead))) {
        throw new PurgeRefusedException(PurgeRefusedException.Rail.CLOCK_BEHIND_LAST_RUN,
            "clock reads " + now + ", more than " + maxClockLead + " behind the store's clock " + ref);
      }
    }
    if (mark.lastRunStartedAt().isPresent() && now.isAfter(mark.lastRunStartedAt().get().plus(maxGapSinceLastRun))) {
      throw new PurgeRefusedException(PurgeRefusedException.Rail.CLOCK_FAR_AHEAD,
          "clock reads " + now + ", more than " + maxGapSinceLastRun + " after the latest purge run at "
              + mark.lastRunStartedAt().get());
    }
  }

  /**
   * An operator's explicit recovery from a wrong clock: moves the purge watermark back to the
   * current time (the clock must agree with the store's reference time), and records the reset,
   * with who and why, as {@code WATERMARK_RESET} evidence and event. Deletes nothing.
   *
   * @return the watermark before the reset
   * @throws PurgeRefusedException when the clock disagrees with the store's reference time
   */
  public LifecycleStore.Watermark resetWatermark(Attribution by) throws PurgeRefusedException {
    Objects.requireNonNull(by, "by");
    Instant now = lifecycle.now();
    LifecycleStore store = lifecycle.store();
    LifecycleStore.Watermark before = store.watermark();
    checkClock(now, new LifecycleStore.Watermark(Optional.empty(), Optional.empty()), reference(store));
    String from = before.lastRunStartedAt().map(Instant::toString).orElse("none");
    DeletionEvidence record = new DeletionEvidence(UUID.randomUUID(), DeletionEvidence.Kind.WATERMARK_RESET,
        Optional.empty(), "watermark reset from " + from + " to " + now, List.of(), now, by,
        "watermark-reset:" + UUID.randomUUID());
    store.resetWatermark(now, record);
    lifecycle.deliver(record);
    return before;
  }

  private long allowance(LifecycleStore.Watermark mark) {
    return mark.lastCompletedRows()
        .map(last -> Math.max(volumeFloor, saturatingMultiply(last, volumeFactor)))
        .orElse(firstRunLimit);
  }

  private void checkShare(Map<DataClass, Long> dueByClass, LifecycleStore.Watermark mark)
      throws PurgeRefusedException {
    if (mark.lastCompletedRows().isPresent()) {
      return;
    }
    for (Map.Entry<DataClass, Long> e : dueByClass.entrySet()) {
      long due = e.getValue();
      if (due <= firstRunShareFloor) {
        continue;
      }
      OptionalLong size = lifecycle.store().size(e.getKey());
      if (size.isPresent() && due > firstRunShare * size.getAsLong()) {
        throw new PurgeRefusedException(PurgeRefusedException.Rail.UNUSUAL_VOLUME, "first run: " + due + " of the "
            + size.getAsLong() + " rows of " + e.getKey() + " are due, more than " + Math.round(firstRunShare * 100)
            + "% of the table; check the mapping's purge-after column (an operator's confirmation lifts this)");
      }
    }
  }

  private void checkVolume(long due, LifecycleStore.Watermark mark) throws PurgeRefusedException {
    long allowed = allowance(mark);
    if (due > allowed) {
      throw new PurgeRefusedException(PurgeRefusedException.Rail.UNUSUAL_VOLUME,
          due + " rows are due, more than the " + allowed + " a run may purge without an operator's confirmation");
    }
  }

  private static long saturatingMultiply(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE;
  }
}
