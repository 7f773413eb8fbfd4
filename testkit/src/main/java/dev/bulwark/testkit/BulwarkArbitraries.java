package dev.bulwark.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik arbitraries shared by Bulwark's property tests and by hosts that test their own SPI
 * implementations. Sizes are chosen to reach the edges (empty, one byte, block boundaries)
 * without making each try slow.
 */
public final class BulwarkArbitraries {

  private BulwarkArbitraries() {}

  /** Byte arrays of 0 to {@code maxSize} bytes, with the empty array and block edges favoured. */
  public static Arbitrary<byte[]> bytes(int maxSize) {
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize must be >= 0");
    }
    return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(maxSize).edgeCases(c -> {
      c.add(new byte[0]);
      if (maxSize >= 16) {
        c.add(new byte[16]);
      }
    });
  }

  /** Identifiers as a host would use for users, tenants and records: 1-64 chars of [A-Za-z0-9_.:@-]. */
  public static Arbitrary<String> identifiers() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withCharRange('A', 'Z')
        .withCharRange('0', '9')
        .withChars('_', '-', '.', ':', '@')
        .ofMinLength(1)
        .ofMaxLength(64);
  }

  /**
   * Text a hostile or careless caller might pass: any Unicode, including control characters,
   * CR/LF, lone surrogates and the empty string. Use it to test sanitising and rejection.
   */
  public static Arbitrary<String> hostileText(int maxLength) {
    return Arbitraries.strings().all().ofMinLength(0).ofMaxLength(maxLength).edgeCases(c -> {
      c.add("");
      c.add("\r\n");
      c.add("a\u0000b");
      c.add("\u001b[31m");
    });
  }

  /** Small maps of identifier keys to printable values, such as an encryption context. */
  public static Arbitrary<Map<String, String>> contexts() {
    return Arbitraries.maps(identifiers(), Arbitraries.strings().ascii().ofMaxLength(40)).ofMaxSize(6);
  }

  /** Positive durations from one second to {@code max}. */
  public static Arbitrary<Duration> durations(Duration max) {
    if (max.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("max must be at least one second");
    }
    return Arbitraries.longs().between(1, max.toSeconds()).map(Duration::ofSeconds);
  }

  /** Instants between 2000-01-01 and 2100-01-01 at microsecond precision. */
  public static Arbitrary<Instant> instants() {
    long from = Instant.parse("2000-01-01T00:00:00Z").getEpochSecond();
    long to = Instant.parse("2100-01-01T00:00:00Z").getEpochSecond();
    return Combinators.combine(
            Arbitraries.longs().between(from, to), Arbitraries.integers().between(0, 999_999))
        .as((s, micros) -> Instant.ofEpochSecond(s, micros * 1_000L));
  }
}
