package dev.bulwark.authn.totp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 6238 Appendix B, all 18 vectors, through the generator and through the verifier. */
class TotpVectorsTest {

  static Stream<Arguments> vectors() throws IOException {
    List<Arguments> out = new ArrayList<>();
    try (InputStream in = Objects.requireNonNull(TotpVectorsTest.class.getResourceAsStream("/vectors/rfc6238-appendix-b.csv"));
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split(",");
        out.add(Arguments.of(Long.parseLong(f[0]), TotpAlgorithm.valueOf(f[1]), f[2]));
      }
    }
    assertEquals(18, out.size());
    return out.stream();
  }

  static TotpSecret seed(TotpAlgorithm algorithm) {
    String ascii = "1234567890".repeat(7).substring(0, algorithm.secretLengthBytes());
    return TotpSecret.ofBytes(ascii.getBytes(StandardCharsets.US_ASCII));
  }

  @ParameterizedTest(name = "T={0} {1} -> {2}")
  @MethodSource("vectors")
  void generator_matchesAppendixB(long time, TotpAlgorithm algorithm, String expected) {
    Locale saved = Locale.getDefault();
    try {
      // Codes must be ASCII whatever the default locale (hi-IN would give Devanagari digits).
      Locale.setDefault(Locale.forLanguageTag("hi-IN-u-nu-deva"));
      TotpSettings s = TotpSettings.DEFAULT.withAlgorithm(algorithm).withDigits(8).withWindow(0);
      TotpVerifier v = new TotpVerifier(s, UsedTotpStepStore.inMemory(Instant::now), Instant::now);
      assertEquals(expected, v.codeAt(seed(algorithm), Instant.ofEpochSecond(time)));
    } finally {
      Locale.setDefault(saved);
    }
  }

  @ParameterizedTest(name = "T={0} {1} verifies {2}")
  @MethodSource("vectors")
  void verifier_acceptsAppendixB_once(long time, TotpAlgorithm algorithm, String expected) {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochSecond(time));
    TotpSettings s = TotpSettings.DEFAULT.withAlgorithm(algorithm).withDigits(8).withWindow(0);
    TotpVerifier v = new TotpVerifier(s, UsedTotpStepStore.inMemory(now::get), now::get);
    assertEquals(TotpVerification.Outcome.ACCEPTED, v.verify("c1", seed(algorithm), expected).outcome());
    assertEquals(TotpVerification.Outcome.REPLAYED, v.verify("c1", seed(algorithm), expected).outcome());
  }
}
