package dev.bulwark.ratelimit.internal;

import dev.bulwark.ratelimit.Quota;
import java.util.List;

/** The GCRA step on an array of theoretical arrival times, as the store SPI defines it. */
public final class Gcra {

  private Gcra() {}

  /** The emission intervals of {@code quotas}, in order. */
  public static long[] intervals(List<Quota> quotas) {
    long[] out = new long[quotas.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = quotas.get(i).intervalMicros();
    }
    return out;
  }

  /** The tolerances of {@code quotas}, in order. */
  public static long[] tolerances(List<Quota> quotas) {
    long[] out = new long[quotas.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = quotas.get(i).toleranceMicros();
    }
    return out;
  }

  /**
   * Steps {@code tats} in place if every quota admits {@code cost} units at {@code now}; otherwise
   * only raises each entry to at least {@code now} in {@code out}. {@code tats} holds the stored
   * times (entries at or before now mean "full capacity"); {@code out} receives the times to
   * report. Returns whether the step was admitted.
   */
  public static boolean step(long[] tats, long[] intervals, long[] tolerances, long cost, long now, long[] out) {
    int n = tats.length;
    boolean admitted = true;
    for (int i = 0; i < n; i++) {
      long base = Math.max(tats[i], now);
      long next = base + cost * intervals[i];
      out[i] = next;
      if (next - now > tolerances[i]) {
        admitted = false;
      }
    }
    if (admitted) {
      System.arraycopy(out, 0, tats, 0, n);
    } else {
      for (int i = 0; i < n; i++) {
        out[i] = Math.max(tats[i], now);
      }
    }
    return admitted;
  }
}
