package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AuditVerifyProperties {

  /** Any single flipped byte anywhere in a segment file is a finding (exit 1), never a crash or "intact". */
  @Test
  void anyByteFlipInASegment_exitsOne() {
    PropertyRunner.forAll(40, c -> {
      double where = c.draw("where", Generators.doubles(0.0, 1.0).filter(d -> d < 1.0));
      int mask = c.draw("mask", Generators.ints(1, 255));
      int events = c.draw("events", Generators.ints(1, 12));
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
    });
  }

  /** Any flipped byte in the checkpoint file never crashes the verifier nor the CLI. */
  @Test
  void anyByteFlipInTheCheckpoints_neverCrashes() {
    PropertyRunner.forAll(20, c -> {
      double where = c.draw("where", Generators.doubles(0.0, 1.0).filter(d -> d < 1.0));
      int mask = c.draw("mask", Generators.ints(1, 255));
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
    });
  }
}
