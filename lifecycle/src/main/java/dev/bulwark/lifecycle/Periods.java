package dev.bulwark.lifecycle;

import java.time.Period;

/** Sanity rules for calendar periods: no negative parts, not zero, not absurdly long. */
final class Periods {

  /** One hundred years, a generous upper bound that still catches unit mistakes. */
  static final long MAX_DAYS = 36_525;

  private Periods() {}

  static Period requireSane(Period p, String what) {
    if (p == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    if (p.getYears() < 0 || p.getMonths() < 0 || p.getDays() < 0) {
      throw new IllegalArgumentException(what + " must not be negative: " + p);
    }
    if (p.isZero()) {
      throw new IllegalArgumentException(what + " must be positive");
    }
    if (maxDays(p) > MAX_DAYS) {
      throw new IllegalArgumentException(what + " is longer than 100 years: " + p);
    }
    return p;
  }

  /** The fewest days {@code p} can span on the calendar. */
  static long minDays(Period p) {
    return p.getYears() * 365L + p.getMonths() * 28L + p.getDays();
  }

  /** The most days {@code p} can span on the calendar. */
  static long maxDays(Period p) {
    return p.getYears() * 366L + p.getMonths() * 31L + p.getDays();
  }

  /** True when {@code next} is at least as long as {@code current} from every starting day. */
  static boolean atLeast(Period next, Period current) {
    boolean componentwise = next.toTotalMonths() >= current.toTotalMonths()
        && next.getDays() >= current.getDays();
    return componentwise || minDays(next) >= maxDays(current);
  }
}
