package dev.bulwark.testing;

import java.util.Objects;

/**
 * Runs a property: the same check over many random cases. Each try gets a {@link Case} seeded
 * from the run's seed ({@link Seeds#seed()}: fixed by default, {@code -Dbulwark.seed} to change
 * it), the property's name and the try number, so a run is reproducible and a failure names
 * everything needed to replay it: the seed, the try number and the values the try drew.
 *
 * <pre>{@code
 * import static org.junit.jupiter.api.Assertions.assertArrayEquals;
 *
 * import java.util.Base64;
 * import org.junit.jupiter.api.Test;
 *
 * class CodecProperties {
 *   @Test
 *   void decode_inverts_encode() {
 *     PropertyRunner.forAll(200, c -> {
 *       byte[] plaintext = c.draw("plaintext", Generators.bytes(0, 4096));
 *       assertArrayEquals(plaintext, decode(encode(plaintext)));
 *     });
 *   }
 *
 *   static byte[] encode(byte[] b) { return Base64.getEncoder().encode(b); }
 *   static byte[] decode(byte[] b) { return Base64.getDecoder().decode(b); }
 * }
 * }</pre>
 *
 * <p>There is no shrinking: failing cases are reported as drawn. Generators favour edge cases
 * (empty, limits) so small failing inputs come up early.
 */
public final class PropertyRunner {

  /** Tries when none are given (the same as the property engine Bulwark used before). */
  public static final int DEFAULT_TRIES = 1000;

  private static final StackWalker WALKER = StackWalker.getInstance();

  private PropertyRunner() {}

  /** The check of one try. Throwing anything but an assumption failure fails the property. */
  @FunctionalInterface
  public interface Property {
    void check(Case c) throws Exception;
  }

  /** Runs {@code property} {@link #DEFAULT_TRIES} times, named after the calling method. */
  public static void forAll(Property property) {
    forAll(callerName(), DEFAULT_TRIES, property);
  }

  /** Runs {@code property} {@code tries} times, named after the calling method. */
  public static void forAll(int tries, Property property) {
    forAll(callerName(), tries, property);
  }

  /**
   * Runs {@code property} {@code tries} times. A try whose {@link Case#assume} fails (or that
   * throws JUnit's {@code TestAbortedException}) is replaced by another, up to ten times
   * {@code tries} draws in all.
   *
   * @throws AssertionError naming the seed, the try and the drawn values, with the failure as
   *     its cause, when a try fails, or when no case satisfied the assumptions
   */
  public static void forAll(String name, int tries, Property property) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(property, "property");
    if (tries < 1) {
      throw new IllegalArgumentException("tries must be >= 1");
    }
    long runSeed = Seeds.seed();
    int passed = 0;
    int attempt = 0;
    long maxAttempts = 10L * tries;
    while (passed < tries && attempt < maxAttempts) {
      attempt++;
      Case c = new Case(Seeds.forTry(runSeed, name, attempt), attempt);
      try {
        property.check(c);
        passed++;
      } catch (Case.Rejected e) {
        // The inputs do not apply; draw another case.
      } catch (Exception | AssertionError e) {
        if (e.getClass().getName().equals("org.opentest4j.TestAbortedException")) {
          continue;
        }
        throw failure(name, runSeed, c, passed, tries, e);
      }
    }
    if (passed == 0) {
      throw new AssertionError("property " + name + ": all " + attempt + " cases were rejected by assume() (seed "
          + hex(runSeed) + ")");
    }
  }

  private static AssertionError failure(String name, long runSeed, Case c, int passed, int tries, Throwable cause) {
    StringBuilder sb = new StringBuilder();
    sb.append("property ").append(name).append(" failed on try ").append(c.tryNumber()).append(" (after ")
        .append(passed).append(" of ").append(tries).append(" passed) with seed ").append(hex(runSeed))
        .append("; replay with -D").append(Seeds.PROPERTY).append('=').append(hex(runSeed)).append('\n');
    for (String d : c.drawn()) {
      sb.append("  ").append(d).append('\n');
    }
    sb.append("  failure: ").append(cause);
    String message = sb.toString();
    System.err.println(message);
    return new AssertionError(message, cause);
  }

  private static String hex(long seed) {
    return "0x" + Long.toHexString(seed);
  }

  private static String callerName() {
    return WALKER.walk(frames -> frames.skip(2).findFirst()
        .map(f -> simpleName(f.getClassName()) + "." + f.getMethodName()).orElse("property"));
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }
}
