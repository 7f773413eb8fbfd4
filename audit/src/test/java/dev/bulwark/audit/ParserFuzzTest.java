package dev.bulwark.audit;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bulwark.common.Bytes;
import java.nio.charset.StandardCharsets;

/**
 * Jazzer fuzz tests of every parser that reads stored or received bytes. In the default build
 * they replay the seed corpus in {@code src/test/resources/dev/bulwark/audit/ParserFuzzTestInputs};
 * {@code JAZZER_FUZZ=1} fuzzes for real. The only acceptable failure is {@link AuditFormatException}.
 */
class ParserFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void frames(byte[] data) {
    try {
      AuditFrame.decodeEvent(data);
    } catch (AuditFormatException expected) {
      // rejected cleanly
    }
    try {
      CanonicalEncoding.decode(Bytes.of(data));
    } catch (AuditFormatException expected) {
      // rejected cleanly
    }
  }

  @FuzzTest(maxDuration = "30s")
  void checkpoints(byte[] data) {
    try {
      SignedCheckpoint cp = SignedCheckpoint.parse(new String(data, StandardCharsets.UTF_8));
      cp.verifiedBy(java.util.List.of(FuzzKeys.KEY));
    } catch (AuditFormatException expected) {
      // rejected cleanly
    }
    try {
      CheckpointKey.parse(new String(data, StandardCharsets.UTF_8));
    } catch (AuditFormatException expected) {
      // rejected cleanly
    }
  }

  @FuzzTest(maxDuration = "30s")
  void proofBundles(byte[] data) {
    try {
      ProofBundle.parse(new String(data, StandardCharsets.UTF_8)).verify(java.util.List.of(FuzzKeys.KEY));
    } catch (AuditFormatException expected) {
      // rejected cleanly
    }
  }

  static final class FuzzKeys {
    static final CheckpointKey KEY = CheckpointSigner.generate("fuzz.example/log").publicKey();

    private FuzzKeys() {}
  }
}
