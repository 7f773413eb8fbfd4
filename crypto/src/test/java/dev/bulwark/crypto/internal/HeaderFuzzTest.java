package dev.bulwark.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bulwark.crypto.CiphertextFormatException;
import java.util.Arrays;

/**
 * Fuzzes the ciphertext header parser: any input either parses into a header that re-encodes to
 * exactly the bytes it was read from, or fails with {@link CiphertextFormatException}; nothing
 * else may escape. In the default build Jazzer runs the seed corpus in
 * {@code src/test/resources/dev/bulwark/crypto/internal/HeaderFuzzTestInputs/fuzzHeader} as a
 * regression test; {@code JAZZER_FUZZ=1} fuzzes.
 */
class HeaderFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void fuzzHeader(byte[] input) {
    Header h;
    try {
      h = Header.parse(input);
    } catch (CiphertextFormatException expected) {
      return;
    }
    int n = h.length();
    assertTrue(n <= input.length);
    assertArrayEquals(Arrays.copyOf(input, n), h.encode());
    assertEquals(n, h.withKek(h.kekVersion(), h.wrappedDek()).length());
  }
}
