package dev.bulwark.ratelimit;

import dev.bulwark.ratelimit.spi.Step;
import java.time.Duration;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * The quota states of one decision, computed from the store's step when they are read: most
 * callers read only whether a request is allowed, and a decision then allocates no state objects.
 * Immutable (every input is), so thread-safe; equal to any list of the same states.
 */
final class QuotaStates extends AbstractList<QuotaState> implements RandomAccess {

  /** The step's time and arrival times, copied out (the step itself is not kept). */
  private final long now;
  private final long onlyTat;
  private final long[] tats;
  private final List<Quota> quotas;
  private final long[] intervals;
  private final long[] tolerances;

  /** {@code intervals} and {@code tolerances} are the limiter's own arrays, never changed. */
  QuotaStates(Step step, List<Quota> quotas, long[] intervals, long[] tolerances) {
    this.now = step.nowMicros();
    int n = quotas.size();
    if (n == 1) {
      this.onlyTat = step.tatMicros(0);
      this.tats = null;
    } else {
      this.onlyTat = 0;
      this.tats = new long[n];
      for (int i = 0; i < n; i++) {
        tats[i] = step.tatMicros(i);
      }
    }
    this.quotas = quotas;
    this.intervals = intervals;
    this.tolerances = tolerances;
  }

  @Override
  public QuotaState get(int i) {
    Quota q = quotas.get(i);
    long t = intervals[i];
    long tol = tolerances[i];
    long tat = Math.max(tats == null ? onlyTat : tats[i], now);
    long left = remaining(q.burst(), now, tat, t, tol);
    long next = left >= q.burst() ? 0 : Math.max(0, tat - tol + (left + 1) * t - now);
    return new QuotaState(q, left, next == 0 ? Duration.ZERO : Duration.ofNanos(next * 1000));
  }

  @Override
  public int size() {
    return quotas.size();
  }

  /** Units that could be taken at {@code now} from a quota whose arrival time is {@code tat} (≥ now). */
  static long remaining(long burst, long now, long tat, long interval, long tolerance) {
    return Math.min(burst, Math.max(0, (now + tolerance - tat) / interval));
  }
}
