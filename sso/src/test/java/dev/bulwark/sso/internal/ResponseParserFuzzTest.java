package dev.bulwark.sso.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bulwark.sso.AssuranceMapping;
import dev.bulwark.sso.InMemoryReplayCache;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.TestKeys;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Jazzer fuzz test of the SAML response parser and validator. In the default build it replays the
 * seed corpus in {@code src/test/resources/dev/bulwark/sso/internal/ResponseParserFuzzTestInputs};
 * {@code JAZZER_FUZZ=1} fuzzes for real. The only acceptable failure is {@link
 * SsoRefusedException}: no other exception, and never an identity.
 */
class ResponseParserFuzzTest {

  static final ResponseValidator VALIDATOR = new ResponseValidator(new ResponseValidator.Settings(
      "https://app.example/saml", "https://app.example/saml/acs", "https://idp.example/",
      List.of(TestKeys.IDP_CERT.getPublicKey()), Optional.of(TestKeys.SP_KEY), false, Duration.ofMinutes(2),
      64 * 1024, Clock.systemUTC(), new InMemoryReplayCache(), AssuranceMapping.DEFAULT));

  @FuzzTest(maxDuration = "30s")
  void responses(byte[] data) {
    try {
      VALIDATOR.validateXml(data, "_req");
      throw new AssertionError("fuzzed input was accepted");
    } catch (SsoRefusedException expected) {
      // refused cleanly
    }
  }
}
