package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** C2SP / RFC 6962 edges: key names, checkpoint extension lines, proof bundle syntax, witness proofs, origins. */
class EdgeInteropTest {

  static final String ORIGIN = "example.com/audit/edges";
  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  @TempDir Path tmp;

  /** A note over {@code body} exactly as written, signed by {@link #signer}. */
  String signedNote(String body) {
    byte[] sig = signer.sign(body.getBytes(StandardCharsets.UTF_8));
    NoteSignature s = new NoteSignature(ORIGIN, signer.publicKey().keyId(), Bytes.of(sig));
    return body + "\n" + s.line();
  }

  @Test
  void keyNamesWithUnicodeSpaces_areRejected() {
    for (String space : new String[] {"\u00a0", "\u1680", "\u2003", "\u2009", "\u202f", "\u205f", "\u3000", "\u2028",
        "\u0085", "\u180e", "\ufeff"}) {
      String name = "log" + space + "name";
      assertThrows(IllegalArgumentException.class, () -> CheckpointSigner.generate(name), "U+" + (int) space.charAt(0));
      String note = SignedCheckpoint.sign(new Checkpoint(ORIGIN, 1, Bytes.of(new byte[32]), Bytes.of(new byte[32]), 0,
          java.time.Instant.EPOCH), List.of(signer)).note().replace("\u2014 " + ORIGIN + " ", "\u2014 " + name + " ");
      assertThrows(AuditFormatException.class, () -> SignedCheckpoint.parse(note), "U+" + (int) space.charAt(0));
    }
    assertThrows(IllegalArgumentException.class, () -> CheckpointSigner.generate("bad\ud800name"));
  }

  @Test
  void checkpointsWithReorderedOrUnknownExtensionLines_andPlainThreeLineOnes_parse() throws Exception {
    String root = Bytes.of(new byte[32]).base64();
    String chain = Bytes.of(new byte[32]).base64();
    String reordered = ORIGIN + "\n5\n" + root + "\ntime 1700000000\nchain " + chain + "\nminindex 0\n";
    String unknown = ORIGIN + "\n5\n" + root + "\nchain " + chain + "\nminindex 0\nvendor.example/x 1 2 3\nflag\ntime 1700000000\n";
    String plain = "other.example/log\n5\n" + root + "\n";
    for (String body : new String[] {reordered, unknown, plain}) {
      String note = signedNote(body);
      SignedCheckpoint parsed = SignedCheckpoint.parse(note);
      assertEquals(note, parsed.note(), "round trip as written");
      assertEquals(body, parsed.body());
      assertEquals(List.of(ORIGIN), parsed.verifiedBy(List.of(signer.publicKey())), "signature over the lines as written");
      assertEquals(5, parsed.checkpoint().size());
    }
    assertTrue(SignedCheckpoint.parse(signedNote(reordered)).checkpoint().isBulwark());
    assertFalse(SignedCheckpoint.parse(signedNote(plain)).checkpoint().isBulwark());
    // Strict where it reads: a Bulwark line set must be complete, values canonical.
    assertThrows(AuditFormatException.class, () -> SignedCheckpoint.parse(signedNote(ORIGIN + "\n5\n" + root + "\nchain " + chain + "\n")));
    assertThrows(AuditFormatException.class, () -> SignedCheckpoint.parse(signedNote(ORIGIN + "\n5\n" + root + "\n\nx\n")));
  }

  @Test
  void aBulwarkLogIgnoresAPlainCheckpointOfItsOwnOrigin() {
    InMemoryAuditStore store = new InMemoryAuditStore();
    try (AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).build()) {
      log.append(TestEvents.event(0));
    }
    store.putCheckpoint(signedNote(ORIGIN + "\n1\n" + Bytes.of(new byte[32]).base64() + "\n"));
    VerificationReport r = AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).build().verify(store);
    assertTrue(r.has(FindingCode.MALFORMED_CHECKPOINT), r.summary());
  }

  @Test
  void proofBundleSyntax_extraOptional_indexWithoutLeadingZeros() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore();
    String text;
    try (AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).build()) {
      for (int i = 0; i < 6; i++) {
        log.append(TestEvents.event(i));
      }
      text = log.exportProof(2).text();
    }
    assertEquals(2, ProofBundle.parse(text).verify(ORIGIN, List.of(signer.publicKey())).seq());
    String noExtra = text.replaceFirst("extra [^\n]*\n", "");
    ProofBundle p = ProofBundle.parse(noExtra);
    assertTrue(p.event().isEmpty());
    assertEquals(2, p.index());
    assertEquals(noExtra, p.text());
    assertThrows(AuditFormatException.class, () -> p.verify(ORIGIN, List.of(signer.publicKey())));
    for (String bad : new String[] {"index 02", "index +2", "index -0", "index 2 "}) {
      assertThrows(AuditFormatException.class, () -> ProofBundle.parse(text.replace("index 2", bad)), bad);
    }
  }

  @Test
  void witnessProofs_inclusionAndConsistencyAgainstOlderCheckpoints() {
    InMemoryAuditStore store = new InMemoryAuditStore();
    try (AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).build()) {
      for (int i = 0; i < 37; i++) {
        log.append(TestEvents.event(i));
      }
      SignedCheckpoint older = log.checkpoint();
      for (int i = 37; i < 100; i++) {
        log.append(TestEvents.event(i));
      }
      SignedCheckpoint newer = log.checkpoint();
      long m = older.checkpoint().size();
      long n = newer.checkpoint().size();
      assertTrue(MerkleProofs.verifyConsistency(m, n, older.checkpoint().root(), newer.checkpoint().root(),
          log.consistencyProof(m, n)));
      assertFalse(MerkleProofs.verifyConsistency(m, n, newer.checkpoint().root(), newer.checkpoint().root(),
          log.consistencyProof(m, n)));
      Appended x = log.append(TestEvents.event(100));
      assertTrue(x.seq() >= n);
      Bytes leaf;
      try (var s = store.read(5)) {
        leaf = MerkleProofs.leafHash(s.findFirst().orElseThrow().payload().toByteArray());
      }
      assertTrue(MerkleProofs.verifyInclusion(5, m, leaf, log.inclusionProof(5, m), older.checkpoint().root()));
      assertThrows(IllegalArgumentException.class, () -> log.inclusionProof(m, m));
      assertThrows(IllegalArgumentException.class, () -> log.consistencyProof(n, m));
    }
  }

  @Test
  void proofFromAnotherLogSignedByTheSameKey_isRejected() throws Exception {
    String other = "example.com/audit/other";
    InMemoryAuditStore store = new InMemoryAuditStore();
    String text;
    try (AuditLog log = AuditLog.builder(other, store).signer(signer).build()) {
      log.append(TestEvents.event(0));
      text = log.exportProof(0).text();
    }
    ProofBundle p = ProofBundle.parse(text);
    assertEquals(0, p.verify(other, List.of(signer.publicKey())).seq());
    AuditFormatException e = assertThrows(AuditFormatException.class, () -> p.verify(ORIGIN, List.of(signer.publicKey())));
    assertTrue(e.getMessage().contains("not '" + ORIGIN + "'"), e.getMessage());
    assertThrows(AuditFormatException.class, () -> p.verify(List.of(signer.publicKey())));
  }

  @Test
  void aLogThatOwnsItsStore_releasesTheLockOnClose() {
    Path dir = tmp.resolve("owned");
    AuditLog log = AuditLog.builder(ORIGIN, FileAuditStore.open(dir)).signer(signer).closeStore(true).build();
    log.append(TestEvents.event(0));
    log.close();
    try (FileAuditStore again = FileAuditStore.open(dir);
         AuditLog second = AuditLog.builder(ORIGIN, again).signer(signer).build()) {
      assertEquals(1, second.append(TestEvents.event(1)).seq());
    }
    // Not owned (the default): the host's store stays open after the log closes.
    try (FileAuditStore host = FileAuditStore.open(dir)) {
      AuditLog.builder(ORIGIN, host).signer(signer).build().close();
      assertThrows(AuditStoreException.class, () -> FileAuditStore.open(dir));
      assertEquals(2, host.head().nextSeq());
    }
  }
}
