package dev.bulwark.ratelimit.spi;

import java.util.Arrays;

/**
 * What a store answers for one GCRA step: whether the units were admitted, the store's time of the
 * step, and for each quota (in the order given) the theoretical arrival time after the step (the
 * new one if admitted, the unchanged one otherwise, never earlier than now). Times are
 * microseconds since the epoch on the store's clock. Immutable.
 */
public final class Step {

  private final boolean admitted;
  private final long nowMicros;
  /** The time of a one-quota step (then {@code tatMicros} is null). */
  private final long onlyTat;
  private final long[] tatMicros;

  private Step(boolean admitted, long nowMicros, long onlyTat, long[] tatMicros) {
    this.admitted = admitted;
    this.nowMicros = nowMicros;
    this.onlyTat = onlyTat;
    this.tatMicros = tatMicros;
  }

  /** A step's outcome; {@code tatMicros} is copied. */
  public static Step of(boolean admitted, long nowMicros, long... tatMicros) {
    return new Step(admitted, nowMicros, 0, tatMicros.clone());
  }

  /** The outcome of a step on one quota (the common case; no array to copy). */
  public static Step of(boolean admitted, long nowMicros, long tatMicros) {
    return new Step(admitted, nowMicros, tatMicros, null);
  }

  public boolean admitted() {
    return admitted;
  }

  public long nowMicros() {
    return nowMicros;
  }

  /** How many quotas the step covered. */
  public int quotas() {
    return tatMicros == null ? 1 : tatMicros.length;
  }

  /** The theoretical arrival time of quota {@code i} after the step. */
  public long tatMicros(int i) {
    if (tatMicros == null) {
      if (i != 0) {
        throw new IndexOutOfBoundsException(i);
      }
      return onlyTat;
    }
    return tatMicros[i];
  }

  @Override
  public String toString() {
    return "Step[admitted=" + admitted + ", now=" + nowMicros + ", tat=" + (tatMicros == null ? "[" + onlyTat + "]" : Arrays.toString(tatMicros)) + "]";
  }
}
