package dev.bulwark.audit;

import dev.bulwark.audit.internal.Hashes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * An offline receipt for one event, in the shape of C2SP tlog-proof: the canonical event bytes,
 * its RFC 6962 inclusion proof, and a signed checkpoint. A third party who holds only the log's
 * public key ({@link CheckpointKey#vkey()}) verifies it with {@link #verify(Collection)}.
 *
 * <pre>
 * c2sp.org/tlog-proof@v1
 * extra &lt;base64 canonical event&gt;
 * index &lt;seq&gt;
 * &lt;base64 proof hash&gt;   (zero or more lines, leaf first)
 * (blank line)
 * &lt;signed checkpoint note&gt;
 * </pre>
 *
 * @param index sequence number (leaf index) of the event
 * @param event canonical event bytes
 * @param proof inclusion proof hashes
 * @param checkpoint signed checkpoint of a tree that contains the event
 */
public record ProofBundle(long index, Bytes event, List<Bytes> proof, SignedCheckpoint checkpoint) {

  private static final String HEADER = "c2sp.org/tlog-proof@v1";

  public ProofBundle {
    Objects.requireNonNull(event, "event");
    proof = List.copyOf(proof);
    Objects.requireNonNull(checkpoint, "checkpoint");
    if (index < 0) {
      throw new IllegalArgumentException("index < 0");
    }
  }

  /** The text form. */
  public String text() {
    StringBuilder sb = new StringBuilder(HEADER).append('\n')
        .append("extra ").append(event.base64()).append('\n')
        .append("index ").append(index).append('\n');
    for (Bytes h : proof) {
      sb.append(h.base64()).append('\n');
    }
    return sb.append('\n').append(checkpoint.note()).toString();
  }

  /**
   * Parses the text form.
   *
   * @throws AuditFormatException if malformed
   */
  public static ProofBundle parse(String text) throws AuditFormatException {
    if (text == null || text.length() > SignedCheckpoint.MAX_NOTE_CHARS * 2) {
      throw new AuditFormatException("proof bundle missing or too long");
    }
    int split = text.indexOf("\n\n");
    if (split < 0) {
      throw new AuditFormatException("proof bundle has no blank line before its checkpoint");
    }
    String[] lines = text.substring(0, split).split("\n", -1);
    if (lines.length < 3 || !lines[0].equals(HEADER) || !lines[1].startsWith("extra ") || !lines[2].startsWith("index ")) {
      throw new AuditFormatException("proof bundle header is '" + HEADER + "', 'extra', 'index'");
    }
    try {
      Bytes event = Bytes.fromBase64(lines[1].substring(6));
      long index = Long.parseLong(lines[2].substring(6));
      List<Bytes> proof = new ArrayList<>();
      for (int i = 3; i < lines.length; i++) {
        Bytes h = Bytes.fromBase64(lines[i]);
        if (h.length() != 32) {
          throw new AuditFormatException("proof hashes are 32 bytes");
        }
        proof.add(h);
      }
      return new ProofBundle(index, event, proof, SignedCheckpoint.parse(text.substring(split + 2)));
    } catch (IllegalArgumentException e) {
      throw new AuditFormatException("malformed proof bundle: " + e.getMessage(), e);
    }
  }

  /**
   * Checks the bundle with nothing but public keys: a trusted key signed the checkpoint, the
   * event is in its tree at {@link #index}, and the event's own sequence number is that index.
   *
   * @return the verified event
   * @throws AuditFormatException naming the check that failed
   */
  public LoggedEvent verify(Collection<CheckpointKey> trustedKeys) throws AuditFormatException {
    if (checkpoint.verifiedBy(trustedKeys).isEmpty()) {
      throw new AuditFormatException("checkpoint is not signed by a trusted key");
    }
    Checkpoint cp = checkpoint.checkpoint();
    Bytes leaf = Bytes.wrap(Hashes.leaf(event.toByteArray()));
    if (!MerkleProofs.verifyInclusion(index, cp.size(), leaf, proof, cp.root())) {
      throw new AuditFormatException("inclusion proof does not verify against the checkpoint root");
    }
    LoggedEvent e = CanonicalEncoding.decode(event);
    if (e.seq() != index) {
      throw new AuditFormatException("event carries seq " + e.seq() + " but the proof is for index " + index);
    }
    return e;
  }
}
