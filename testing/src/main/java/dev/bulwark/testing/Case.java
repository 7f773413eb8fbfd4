package dev.bulwark.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * One try of a property: a {@link RandomGenerator} seeded for this try, and a record of the values
 * drawn, which {@link PropertyRunner} prints when the try fails.
 *
 * <p>Draw inputs with {@link #draw(String, Gen)} so they appear in the failure report; values
 * drawn directly through the {@code RandomGenerator} methods are reproducible from the seed but
 * not printed. Not thread-safe: use it from the thread that runs the try.
 */
public final class Case implements RandomGenerator {

  private static final int MAX_RENDERED_CHARS = 300;

  private final SplittableRandom random;
  private final long seed;
  private final int tryNumber;
  private final List<String> drawn = new ArrayList<>();

  Case(long seed, int tryNumber) {
    this.random = new SplittableRandom(seed);
    this.seed = seed;
    this.tryNumber = tryNumber;
  }

  @Override
  public long nextLong() {
    return random.nextLong();
  }

  /** The next value of {@code gen}, recorded under {@code label} for the failure report. */
  public <T> T draw(String label, Gen<T> gen) {
    Objects.requireNonNull(label, "label");
    T value = Objects.requireNonNull(gen.next(this), "generator returned null");
    note(label, value);
    return value;
  }

  /** Records a value (for example one derived from drawn inputs) for the failure report. */
  public void note(String label, Object value) {
    drawn.add(label + " = " + render(value));
  }

  /**
   * Skips this try when {@code condition} is false (the property does not apply to these
   * inputs); the runner draws another case in its place.
   */
  public void assume(boolean condition) {
    if (!condition) {
      throw new Rejected();
    }
  }

  /** This try's seed: {@code new Case}-equivalent replays need only this and the property. */
  public long seed() {
    return seed;
  }

  /** The number of this try, from 1. */
  public int tryNumber() {
    return tryNumber;
  }

  List<String> drawn() {
    return List.copyOf(drawn);
  }

  static String render(Object v) {
    String s;
    if (v instanceof java.util.Collection<?> items) {
      StringBuilder sb = new StringBuilder("[");
      for (Object item : items) {
        sb.append(sb.length() == 1 ? "" : ", ").append(render(item));
        if (sb.length() > MAX_RENDERED_CHARS) {
          break;
        }
      }
      s = sb.append(']').toString();
    } else if (v instanceof byte[] b) {
      s = "byte[" + b.length + "] " + Arrays.toString(b);
    } else if (v instanceof int[] a) {
      s = Arrays.toString(a);
    } else if (v instanceof long[] a) {
      s = Arrays.toString(a);
    } else if (v instanceof Object[] a) {
      s = Arrays.deepToString(a);
    } else if (v instanceof CharSequence cs) {
      s = quote(cs.toString());
    } else {
      s = String.valueOf(v);
    }
    return s.length() > MAX_RENDERED_CHARS ? s.substring(0, MAX_RENDERED_CHARS) + "... (" + s.length() + " chars)" : s;
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    s.chars().forEach(c -> {
      if (c < 0x20 || c == 0x7f || (c >= 0xd800 && c <= 0xdfff) || c == '"' || c == '\\') {
        sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", c));
      } else {
        sb.append((char) c);
      }
    });
    return sb.append('"').toString();
  }

  /** Thrown by {@link #assume} to skip a try. */
  static final class Rejected extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Rejected() {
      super("case rejected by assume()", null, false, false);
    }
  }
}
