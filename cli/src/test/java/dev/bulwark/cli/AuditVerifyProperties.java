package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

class AuditVerifyProperties {

  /** Any single flipped byte anywhere in a segment file is a finding (exit 1), never a crash or "intact". */
  @Property(tries = 40)
  void anyByteFlipInASegment_exitsOne(@ForAll @DoubleRange(min = 0.0, max = 1.0, maxIncluded = false) double where,
      @ForAll @IntRange(min = 1, max = 255) int mask, @ForAll @IntRange(min = 1, max = 12) int events) throws Exception {
    Path tmp = Files.createTempDirectory("bulwark-flip");
    try {
      AuditFixture fx = new AuditFixture();
      Path dir = fx.fileLog(tmp.resolve("log"), events);
      Path seg = AuditFixture.firstSegment(dir);
      long offset = (long) (where * Files.size(seg));
      AuditFixture.flip(seg, offset, mask);
      Cli.Result r = Cli.run("audit", "verify", dir.toString(), "--public-key", fx.vkey(), "--json");
      assertEquals(ExitCode.FINDINGS, r.code(), "offset " + offset + " mask " + mask + "\n" + r.all());
      assertFalse(r.err().contains("internal error"), r.err());
    } finally {
      KeysRewrapProperties.delete(tmp);
    }
  }

  /** Any flipped byte in the checkpoint file never crashes the verifier nor the CLI. */
  @Property(tries = 20)
  void anyByteFlipInTheCheckpoints_neverCrashes(@ForAll @DoubleRange(min = 0.0, max = 1.0, maxIncluded = false) double where,
      @ForAll @IntRange(min = 1, max = 255) int mask) throws Exception {
    Path tmp = Files.createTempDirectory("bulwark-flip");
    try {
      AuditFixture fx = new AuditFixture();
      Path dir = fx.fileLog(tmp.resolve("log"), 5);
      Path cps = dir.resolve("checkpoints.log");
      AuditFixture.flip(cps, (long) (where * Files.size(cps)), mask);
      Cli.Result r = Cli.run("audit", "verify", dir.toString(), "--public-key", fx.vkey());
      assertFalse(r.code() == ExitCode.INTERNAL || r.all().contains("\tat "), r.all());
    } finally {
      KeysRewrapProperties.delete(tmp);
    }
  }
}
