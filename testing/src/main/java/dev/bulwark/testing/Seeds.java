package dev.bulwark.testing;

import java.security.SecureRandom;

/**
 * Where property runs get their seed. By default every run uses the same fixed seed, so CI is
 * reproducible; {@code -Dbulwark.seed=N} (decimal or {@code 0x} hex) replays or varies a run,
 * and {@code -Dbulwark.seed=random} picks a fresh seed, which a failure then prints.
 */
public final class Seeds {

  /** The seed used when {@code bulwark.seed} is not set. */
  public static final long DEFAULT_SEED = 0x5EED_B0_1A_7C_0FFEEL;

  /** The system property that overrides the seed. */
  public static final String PROPERTY = "bulwark.seed";

  private static final SecureRandom FRESH = new SecureRandom();

  private Seeds() {}

  /**
   * The seed for this run: {@code bulwark.seed} if set, else {@link #DEFAULT_SEED}.
   *
   * @throws IllegalArgumentException if {@code bulwark.seed} is neither a number nor "random"
   */
  public static long seed() {
    String text = System.getProperty(PROPERTY);
    if (text == null || text.isBlank()) {
      return DEFAULT_SEED;
    }
    String t = text.trim();
    if (t.equalsIgnoreCase("random")) {
      return FRESH.nextLong();
    }
    try {
      return t.startsWith("0x") || t.startsWith("0X") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(PROPERTY + " must be a number (decimal or 0x hex) or 'random', not '" + t + "'",
          e);
    }
  }

  /**
   * The seed of one try: the run's seed mixed with the property's name and the try number, so
   * properties do not share a sequence and each try can be replayed on its own.
   */
  public static long forTry(long runSeed, String property, int tryNumber) {
    long h = runSeed;
    h = mix(h ^ property.hashCode());
    return mix(h + 0x9E37_79B9_7F4A_7C15L * (tryNumber + 1L));
  }

  /** SplitMix64's finaliser: a bijection that spreads every input bit over the output. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
    return z ^ (z >>> 31);
  }
}
