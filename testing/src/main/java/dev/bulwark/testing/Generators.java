package dev.bulwark.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Common {@link Gen generators}. Numbers, sizes and strings favour their edges (the bounds, zero,
 * empty) about one draw in eight, the way boundary bugs are found, and are otherwise uniform.
 * Nothing here depends on a test framework.
 */
public final class Generators {

  private static final int EDGE_ONE_IN = 8;

  private Generators() {}

  /** Integers in {@code [min, max]}, with {@code min}, {@code max} and 0 (if in range) favoured. */
  public static Gen<Integer> ints(int min, int max) {
    if (min > max) {
      throw new IllegalArgumentException("min > max");
    }
    return r -> (int) longBetween(r, min, max);
  }

  /** Longs in {@code [min, max]}, with the bounds and 0 (if in range) favoured. */
  public static Gen<Long> longs(long min, long max) {
    if (min > max) {
      throw new IllegalArgumentException("min > max");
    }
    return r -> longBetween(r, min, max);
  }

  /** Any long, with 0, 1, -1 and the extremes favoured. */
  public static Gen<Long> longs() {
    return longs(Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** Doubles in {@code [min, max]}, with the bounds favoured. */
  public static Gen<Double> doubles(double min, double max) {
    if (!(min <= max)) {
      throw new IllegalArgumentException("min > max");
    }
    return r -> {
      if (r.nextInt(EDGE_ONE_IN) == 0) {
        return r.nextBoolean() ? min : max;
      }
      return min == max ? min : Math.min(max, min + (max - min) * r.nextDouble());
    };
  }

  /** True or false, evenly. */
  public static Gen<Boolean> booleans() {
    return RandomGenerator::nextBoolean;
  }

  /** One of {@code values}, evenly. */
  @SafeVarargs
  public static <T> Gen<T> oneOf(T... values) {
    List<T> copy = new ArrayList<>(values.length);
    for (T v : values) {
      copy.add(Objects.requireNonNull(v, "value"));
    }
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("no values");
    }
    return r -> copy.get(r.nextInt(copy.size()));
  }

  /** One of {@code values}, evenly. */
  public static <T> Gen<T> oneOf(List<T> values) {
    List<T> copy = List.copyOf(values);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("no values");
    }
    return r -> copy.get(r.nextInt(copy.size()));
  }

  /** A value from one of {@code gens}, chosen evenly. */
  @SafeVarargs
  public static <T> Gen<T> mixOf(Gen<? extends T>... gens) {
    List<Gen<? extends T>> copy = new ArrayList<>(gens.length);
    for (Gen<? extends T> g : gens) {
      copy.add(Objects.requireNonNull(g, "gen"));
    }
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("no generators");
    }
    return r -> copy.get(r.nextInt(copy.size())).next(r);
  }

  /** A value of {@code gen}, or empty with probability {@code emptyChance}. */
  public static <T> Gen<Optional<T>> optional(Gen<T> gen, double emptyChance) {
    return r -> r.nextDouble() < emptyChance ? Optional.empty() : Optional.of(gen.next(r));
  }

  /** Byte arrays of {@code minSize} to {@code maxSize} bytes; the bounds (and 16, if in range) favoured. */
  public static Gen<byte[]> bytes(int minSize, int maxSize) {
    checkSizes(minSize, maxSize);
    return r -> {
      byte[] b = new byte[size(r, minSize, maxSize)];
      r.nextBytes(b);
      return b;
    };
  }

  /** Byte arrays of 0 to {@code maxSize} bytes. */
  public static Gen<byte[]> bytes(int maxSize) {
    return bytes(0, maxSize);
  }

  /** Lists of {@code minSize} to {@code maxSize} values of {@code gen}. */
  public static <T> Gen<List<T>> lists(Gen<T> gen, int minSize, int maxSize) {
    checkSizes(minSize, maxSize);
    Objects.requireNonNull(gen, "gen");
    return r -> {
      int n = size(r, minSize, maxSize);
      List<T> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(gen.next(r));
      }
      return out;
    };
  }

  /** Maps of up to {@code maxSize} entries (fewer when keys repeat), in draw order. */
  public static <K, V> Gen<Map<K, V>> maps(Gen<K> keys, Gen<V> values, int maxSize) {
    checkSizes(0, maxSize);
    return r -> {
      int n = size(r, 0, maxSize);
      Map<K, V> out = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        out.put(keys.next(r), values.next(r));
      }
      return out;
    };
  }

  /** Strings of {@code minLength} to {@code maxLength} chars, each one of {@code alphabet}. */
  public static Gen<String> strings(String alphabet, int minLength, int maxLength) {
    checkSizes(minLength, maxLength);
    if (alphabet.isEmpty()) {
      throw new IllegalArgumentException("empty alphabet");
    }
    char[] chars = alphabet.toCharArray();
    return r -> {
      char[] out = new char[size(r, minLength, maxLength)];
      for (int i = 0; i < out.length; i++) {
        out[i] = chars[r.nextInt(chars.length)];
      }
      return new String(out);
    };
  }

  /** Strings of chars in {@code [first, last]}. */
  public static Gen<String> strings(char first, char last, int minLength, int maxLength) {
    checkSizes(minLength, maxLength);
    if (first > last) {
      throw new IllegalArgumentException("first > last");
    }
    return r -> {
      char[] out = new char[size(r, minLength, maxLength)];
      for (int i = 0; i < out.length; i++) {
        out[i] = (char) (first + r.nextInt(last - first + 1));
      }
      return new String(out);
    };
  }

  /**
   * Unicode text: any char of the Basic Multilingual Plane except surrogates (control and format
   * characters included), with short strings favoured.
   */
  public static Gen<String> text(int minLength, int maxLength) {
    checkSizes(minLength, maxLength);
    return r -> {
      char[] out = new char[size(r, minLength, maxLength)];
      for (int i = 0; i < out.length; i++) {
        int kind = r.nextInt(3);
        char ch = switch (kind) {
          case 0 -> (char) r.nextInt(0x80);
          case 1 -> (char) (0x80 + r.nextInt(0x780));
          default -> (char) r.nextInt(0x10000);
        };
        out[i] = Character.isSurrogate(ch) ? '\ufffd' : ch;
      }
      return new String(out);
    };
  }

  /** Printable ASCII strings (space to tilde). */
  public static Gen<String> printableAscii(int minLength, int maxLength) {
    return strings(' ', '~', minLength, maxLength);
  }

  /** ASCII strings (0 to 127, control characters included). */
  public static Gen<String> ascii(int minLength, int maxLength) {
    return strings('\u0000', '\u007f', minLength, maxLength);
  }

  /**
   * Text a hostile or careless caller might pass: any UTF-16 char (control characters, CR/LF,
   * lone surrogates, format characters), with "", "\r\n", "a\u0000b" and an ANSI escape favoured.
   */
  public static Gen<String> hostileText(int minLength, int maxLength) {
    checkSizes(minLength, maxLength);
    List<String> edges = Arrays.asList("", "\r\n", "a\u0000b", "\u001b[31m", "\u202e", "\ud800", "\ud83d\ude00");
    List<String> fitting = edges.stream().filter(e -> e.length() >= minLength && e.length() <= maxLength).toList();
    return r -> {
      if (!fitting.isEmpty() && r.nextInt(EDGE_ONE_IN) == 0) {
        return fitting.get(r.nextInt(fitting.size()));
      }
      char[] out = new char[size(r, minLength, maxLength)];
      for (int i = 0; i < out.length; i++) {
        int kind = r.nextInt(4);
        out[i] = switch (kind) {
          case 0 -> (char) r.nextInt(0x20);
          case 1 -> (char) (0x20 + r.nextInt(0x5f));
          case 2 -> (char) (0xd800 + r.nextInt(0x800));
          default -> (char) r.nextInt(0x10000);
        };
      }
      return new String(out);
    };
  }

  /** Hostile text of 0 to {@code maxLength} chars. */
  public static Gen<String> hostileText(int maxLength) {
    return hostileText(0, maxLength);
  }

  /** Identifiers as a host would use for users, tenants and records: 1-64 chars of [A-Za-z0-9_.:@-]. */
  public static Gen<String> identifiers() {
    return strings("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:@", 1, 64);
  }

  /** Small maps of identifier keys to printable values, such as an encryption context (0-6 entries). */
  public static Gen<Map<String, String>> contexts() {
    return maps(identifiers(), ascii(0, 40), 6);
  }

  /** Positive durations from one second to {@code max}, at second precision. */
  public static Gen<Duration> durations(Duration max) {
    if (max.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("max must be at least one second");
    }
    return longs(1, max.toSeconds()).map(Duration::ofSeconds);
  }

  /** Instants between 2000-01-01 and 2100-01-01 at microsecond precision. */
  public static Gen<Instant> instants() {
    long from = Instant.parse("2000-01-01T00:00:00Z").getEpochSecond();
    long to = Instant.parse("2100-01-01T00:00:00Z").getEpochSecond();
    return r -> Instant.ofEpochSecond(longBetween(r, from, to), longBetween(r, 0, 999_999) * 1_000L);
  }

  /** A uniform or edge size in {@code [min, max]}; 16 (a block) is an edge when in range. */
  static int size(RandomGenerator r, int min, int max) {
    if (r.nextInt(EDGE_ONE_IN) == 0) {
      int pick = r.nextInt(3);
      if (pick == 0) {
        return min;
      }
      if (pick == 1) {
        return max;
      }
      if (min <= 16 && 16 <= max) {
        return 16;
      }
    }
    // Lean towards short values: half the draws stay in the lowest eighth of the range.
    int span = max - min;
    if (span > 8 && r.nextBoolean()) {
      return min + r.nextInt(span / 8 + 1);
    }
    return min + r.nextInt(span + 1);
  }

  static long longBetween(RandomGenerator r, long min, long max) {
    if (r.nextInt(EDGE_ONE_IN) == 0) {
      int pick = r.nextInt(3);
      if (pick == 0) {
        return min;
      }
      if (pick == 1) {
        return max;
      }
      if (min <= 0 && 0 <= max) {
        return 0;
      }
    }
    if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) {
      return r.nextLong();
    }
    return max == Long.MAX_VALUE ? r.nextLong(min - 1, max) + 1 : r.nextLong(min, max + 1);
  }

  private static void checkSizes(int min, int max) {
    if (min < 0 || min > max) {
      throw new IllegalArgumentException("need 0 <= min <= max, got " + min + ", " + max);
    }
  }
}
