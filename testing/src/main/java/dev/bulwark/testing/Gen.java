package dev.bulwark.testing;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Makes random values of one kind from a {@link RandomGenerator}. A generator holds no state of
 * its own: the same random sequence gives the same values, so a seed replays a case exactly.
 * {@link Generators} has the common ones.
 *
 * @param <T> the values made
 */
@FunctionalInterface
public interface Gen<T> {

  /** The next value, drawn from {@code random}. MUST NOT return null. */
  T next(RandomGenerator random);

  /** Values of this generator passed through {@code f}. */
  default <R> Gen<R> map(Function<? super T, ? extends R> f) {
    Objects.requireNonNull(f, "f");
    return r -> f.apply(next(r));
  }

  /**
   * Values of this generator that satisfy {@code keep}, drawing again (up to 1,000 times) when one
   * does not.
   *
   * @throws IllegalStateException from {@link #next} when 1,000 draws in a row are rejected
   */
  default Gen<T> filter(Predicate<? super T> keep) {
    Objects.requireNonNull(keep, "keep");
    return r -> {
      for (int i = 0; i < 1000; i++) {
        T t = next(r);
        if (keep.test(t)) {
          return t;
        }
      }
      throw new IllegalStateException("filter rejected 1000 values in a row");
    };
  }
}
