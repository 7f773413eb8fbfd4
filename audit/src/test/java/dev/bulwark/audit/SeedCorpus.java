package dev.bulwark.audit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** Writes the fuzz seed corpus (run once by hand: the files are committed). */
final class SeedCorpus {
  private SeedCorpus() {}

  public static void main(String[] args) throws Exception {
    Path base = Path.of(args[0]);
    InMemoryAuditStore store = new InMemoryAuditStore();
    CheckpointSigner signer = CheckpointSigner.generate("fuzz.example/log");
    String proof;
    try (AuditLog log = AuditLog.builder("fuzz.example/log", store).clock(() -> Instant.EPOCH).signer(signer).chainKey(ChainKey.generate()).build()) {
      for (int i = 0; i < 5; i++) {
        log.append(TestEvents.event(i));
      }
      proof = log.exportProof(3).text();
    }
    var events = store.read(0).toList();
    Files.write(base.resolve("frames/event0"), AuditFrame.encodeEvent(events.get(0)));
    Files.write(base.resolve("frames/event4"), AuditFrame.encodeEvent(events.get(4)));
    Files.write(base.resolve("frames/canonical"), events.get(1).payload().toByteArray());
    byte[] truncated = AuditFrame.encodeEvent(events.get(2));
    Files.write(base.resolve("frames/truncated"), java.util.Arrays.copyOf(truncated, truncated.length - 7));
    String note = store.checkpoints().get(store.checkpoints().size() - 1);
    Files.writeString(base.resolve("checkpoints/valid"), note, StandardCharsets.UTF_8);
    Files.writeString(base.resolve("checkpoints/truncated"), note.substring(0, note.length() / 2), StandardCharsets.UTF_8);
    Files.writeString(base.resolve("checkpoints/vkey"), signer.publicKey().vkey(), StandardCharsets.UTF_8);
    Files.writeString(base.resolve("proofBundles/valid"), proof, StandardCharsets.UTF_8);
  }
}
