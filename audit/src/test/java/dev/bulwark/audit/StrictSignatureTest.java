package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Signatures and base64 in notes and proofs have exactly one accepted form. */
class StrictSignatureTest {

  static final String ORIGIN = "log.example/strict";
  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  final Checkpoint cp = new Checkpoint(ORIGIN, 42, Bytes.of(new byte[32]), Bytes.of(new byte[32]), 0,
      Instant.parse("2026-01-01T00:00:00Z"));

  /** The note with its one signature line's raw bytes (key ID + signature) replaced. */
  private String withSignatureBytes(byte[] raw) {
    String note = SignedCheckpoint.sign(cp, List.of(signer)).note();
    int at = note.lastIndexOf(' ');
    return note.substring(0, at + 1) + Base64.getEncoder().encodeToString(raw) + "\n";
  }

  private byte[] rawSignature() {
    String note = SignedCheckpoint.sign(cp, List.of(signer)).note();
    return Base64.getDecoder().decode(note.substring(note.lastIndexOf(' ') + 1, note.length() - 1));
  }

  @Test
  void ed25519SignaturesAreExactly64Bytes() throws Exception {
    byte[] raw = rawSignature();
    assertEquals(68, raw.length);
    assertEquals(List.of(ORIGIN), SignedCheckpoint.parse(withSignatureBytes(raw)).verifiedBy(List.of(signer.publicKey())));
    for (int extra : new int[] {1, 2, 32}) {
      byte[] longer = java.util.Arrays.copyOf(raw, raw.length + extra); // trailing zeros
      assertTrue(SignedCheckpoint.parse(withSignatureBytes(longer)).verifiedBy(List.of(signer.publicKey())).isEmpty(),
          "signature with " + extra + " trailing zero byte(s) must not verify");
    }
    byte[] shorter = java.util.Arrays.copyOf(raw, raw.length - 1);
    assertTrue(SignedCheckpoint.parse(withSignatureBytes(shorter)).verifiedBy(List.of(signer.publicKey())).isEmpty());
    byte[] sig = java.util.Arrays.copyOfRange(raw, 4, raw.length);
    byte[] msg = cp.bodyBytes();
    assertTrue(signer.publicKey().verify(msg, sig));
    assertTrue(!signer.publicKey().verify(msg, java.util.Arrays.copyOf(sig, 65)));
  }

  @Test
  void nonCanonicalBase64_isRejected() {
    assertEquals(1, Bytes.fromBase64("AA==").length());
    for (String bad : new String[] {"AB==", "AA=", "AA", "AAA", "AAF=", "AA==\n", " AA==", "AA==AA==", "A===", "AA==="}) {
      assertThrows(IllegalArgumentException.class, () -> Bytes.fromBase64(bad), bad);
    }
    byte[] h = new byte[32];
    String canonical = Bytes.of(h).base64();
    assertEquals('=', canonical.charAt(43));
    String stray = canonical.substring(0, 42) + "B=";
    assertThrows(IllegalArgumentException.class, () -> Bytes.fromBase64(stray));
  }

  @Test
  void signatureLineWithStrayPaddingBitsOrAlteredPadding_isRejected() {
    String note = SignedCheckpoint.sign(cp, List.of(signer)).note();
    String sig = note.substring(note.lastIndexOf(' ') + 1, note.length() - 1);
    assertTrue(sig.endsWith("=") && !sig.endsWith("=="));
    char last = sig.charAt(sig.length() - 2);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int v = alphabet.indexOf(last);
    String strayBits = sig.substring(0, sig.length() - 2) + alphabet.charAt(v ^ 1) + "=";
    List<String> bad = new ArrayList<>();
    bad.add(note.replace(sig, strayBits));
    bad.add(note.replace(sig, sig.substring(0, sig.length() - 1)));
    bad.add(note.replace(sig, sig + "="));
    for (String b : bad) {
      assertThrows(AuditFormatException.class, () -> SignedCheckpoint.parse(b), b);
    }
  }

  @Test
  void proofBundleWithEditedBase64_isRejected() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    String text;
    try (AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).build()) {
      for (int i = 0; i < 5; i++) {
        log.append(TestEvents.event(i));
      }
      text = log.exportProof(2).text();
    }
    ProofBundle.parse(text).verify(ORIGIN, List.of(signer.publicKey()));
    String[] lines = text.split("\n", -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    // Every base64 line of the bundle head (event, proof hashes) whose last character has spare bits.
    int edited = 0;
    for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
      String line = lines[i];
      String value = line.startsWith("extra ") ? line.substring(6) : line.startsWith("index ") ? null : line;
      if (value == null || !value.endsWith("=")) {
        continue;
      }
      int p = value.endsWith("==") ? value.length() - 3 : value.length() - 2;
      String altered = value.substring(0, p) + alphabet.charAt(alphabet.indexOf(value.charAt(p)) ^ 1) + value.substring(p + 1);
      String[] copy = lines.clone();
      copy[i] = line.substring(0, line.length() - value.length()) + altered;
      String bad = String.join("\n", copy);
      assertThrows(AuditFormatException.class, () -> ProofBundle.parse(bad).verify(ORIGIN, List.of(signer.publicKey())),
          "edited line " + i);
      edited++;
    }
    assertTrue(edited >= 2, "the bundle has base64 lines with spare bits to edit: " + edited);
  }
}
