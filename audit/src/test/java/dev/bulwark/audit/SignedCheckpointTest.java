package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignedCheckpointTest {

  final CheckpointSigner a = CheckpointSigner.generate("log.example/a");
  final CheckpointSigner b = CheckpointSigner.generate("witness.example/b");
  final Checkpoint cp = new Checkpoint("log.example/a", 42, Bytes.of(new byte[32]), Bytes.of(new byte[32]), 7,
      Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void note_hasTheC2spShape_andRoundTrips() throws Exception {
    SignedCheckpoint s = SignedCheckpoint.sign(cp, List.of(a, b));
    String note = s.note();
    String[] lines = note.split("\n", -1);
    assertEquals("log.example/a", lines[0]);
    assertEquals("42", lines[1]);
    assertEquals(Bytes.of(new byte[32]).base64(), lines[2]);
    assertTrue(lines[3].startsWith("chain "));
    assertEquals("minindex 7", lines[4]);
    assertEquals("time 1767225600", lines[5]);
    assertEquals("", lines[6]);
    assertTrue(lines[7].startsWith("\u2014 log.example/a "));
    assertTrue(lines[8].startsWith("\u2014 witness.example/b "));
    assertEquals(s, SignedCheckpoint.parse(note));
    assertEquals(List.of("log.example/a", "witness.example/b"), s.verifiedBy(List.of(a.publicKey(), b.publicKey())));
    assertEquals(a.publicKey(), CheckpointKey.parse(a.publicKey().vkey()));
  }

  @Test
  void changedBody_failsEverySignature() throws Exception {
    String note = SignedCheckpoint.sign(cp, List.of(a)).note().replaceFirst("\n42\n", "\n43\n");
    assertTrue(SignedCheckpoint.parse(note).verifiedBy(List.of(a.publicKey())).isEmpty());
  }

  @Test
  void malformedNotes_areRejectedWithTypedErrors() {
    String good = SignedCheckpoint.sign(cp, List.of(a)).note();
    for (String bad : new String[] {"", good.substring(0, good.length() - 1), good.substring(0, good.indexOf("\n\n")),
        good.replace("minindex 7\n", ""), good.replace("\u2014 ", "- "), good.replace("\n42\n", "\n042\n"),
        good.replace("\n42\n", "\n-1\n"), good.replace("minindex 7", "minindex 99"), "x\n\n\u2014 k AAAA\n"}) {
      assertThrows(AuditFormatException.class, () -> SignedCheckpoint.parse(bad), bad);
    }
  }

  @Test
  void signerToString_neverShowsTheKey() {
    assertEquals("CheckpointSigner[log.example/a, key=<redacted>]", a.toString());
    assertEquals("ChainKey[<redacted>]", ChainKey.generate().toString());
  }
}
