package dev.bulwark.authn.lockout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.math.BigInteger;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@link LockoutRule#delayAfter} and {@code firstAtMaxDelay} (the lock event's trigger) agree with
 * exact arithmetic everywhere, inside and beyond the range their long arithmetic covers.
 */
class LockoutRuleProperties {

  private static final BigInteger BILLION = BigInteger.valueOf(1_000_000_000L);

  private static BigInteger nanos(Duration d) {
    return BigInteger.valueOf(d.getSeconds()).multiply(BILLION).add(BigInteger.valueOf(d.getNano()));
  }

  /** min(initial * 2^(failures - free - 1), max) for failures beyond the free ones, in exact integers. */
  private static Duration exactDelay(LockoutRule r, long failures) {
    if (failures <= r.freeFailures()) {
      return Duration.ZERO;
    }
    long doublings = Math.min(failures - r.freeFailures() - 1, 400);
    BigInteger d = nanos(r.initialDelay()).shiftLeft((int) doublings);
    if (d.compareTo(nanos(r.maxDelay())) >= 0) {
      return r.maxDelay();
    }
    BigInteger[] secondsAndNanos = d.divideAndRemainder(BILLION);
    return Duration.ofSeconds(secondsAndNanos[0].longValueExact(), secondsAndNanos[1].longValueExact());
  }

  @Test
  void delayAfter_matchesExactArithmetic() {
    PropertyRunner.forAll(1000, c -> {
      int freeFailures = c.draw("freeFailures", Generators.ints(0, 99));
      long initialNanos = c.draw("initialNanos", Generators.longs(1, 86_400_000_000_000L));
      int maxShift = c.draw("maxShift", Generators.ints(0, 45));
      long maxExtraNanos = c.draw("maxExtraNanos", Generators.longs(0, 1_000_000_000L));
      long failures = c.draw("failures", Generators.longs(0, 300));
      Duration initial = Duration.ofNanos(initialNanos);
      // max from just above initial up to far beyond what fits in a long of nanoseconds (~292 years),
      // so both the long path and the exact fallback are exercised.
      BigInteger maxExact = BigInteger.valueOf(initialNanos).shiftLeft(maxShift).add(BigInteger.valueOf(maxExtraNanos));
      BigInteger[] sn = maxExact.divideAndRemainder(BILLION);
      Duration max = Duration.ofSeconds(sn[0].longValueExact(), sn[1].longValueExact());
      LockoutRule rule = new LockoutRule(freeFailures, initial, max, 0, max);
      assertEquals(exactDelay(rule, failures), rule.delayAfter(failures));
      assertEquals(exactDelay(rule, Long.MAX_VALUE), rule.delayAfter(Long.MAX_VALUE));
      boolean firstAtMax = failures > 0 && exactDelay(rule, failures).equals(max)
          && exactDelay(rule, failures - 1).compareTo(max) < 0;
      assertEquals(firstAtMax, rule.firstAtMaxDelay(failures));
    });
  }
}
