package dev.bulwark.audit;

import dev.bulwark.audit.internal.Hashes;
import dev.bulwark.common.Bytes;
import dev.bulwark.common.internal.ByteAccess;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * An offline receipt for one event, in the shape of C2SP tlog-proof: the canonical event bytes,
 * its RFC 6962 inclusion proof, and a signed checkpoint. A third party who holds only the log's
 * origin and public key ({@link CheckpointKey#vkey()}) verifies it with
 * {@link #verify(String, Collection)}.
 *
 * <pre>
 * c2sp.org/tlog-proof@v1
 * extra &lt;base64 canonical event&gt;     (optional in C2SP; Bulwark's bundles always carry it)
 * index &lt;seq&gt;                         (decimal, no leading zeros)
 * &lt;base64 proof hash&gt;   (zero or more lines, leaf first)
 * (blank line)
 * &lt;signed checkpoint note&gt;
 * </pre>
 *
 * @param index sequence number (leaf index) of the event
 * @param event canonical event bytes (empty when a parsed bundle has no {@code extra} line)
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
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    if (!event.isEmpty()) {
      sb.append("extra ").append(event.base64()).append('\n');
    }
    sb.append("index ").append(index).append('\n');
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
    int at = lines.length > 1 && lines[1].startsWith("extra ") ? 2 : 1;
    if (lines.length < at + 1 || !lines[0].equals(HEADER) || !lines[at].startsWith("index ")) {
      throw new AuditFormatException("proof bundle header is '" + HEADER + "', optional 'extra', 'index'");
    }
    String indexText = lines[at].substring(6);
    if (!indexText.matches("0|[1-9][0-9]{0,18}")) {
      throw new AuditFormatException("proof bundle index is not a decimal number without leading zeros");
    }
    try {
      Bytes event = at == 2 ? Bytes.fromBase64(lines[1].substring(6)) : Bytes.empty();
      if (at == 2 && event.isEmpty()) {
        throw new AuditFormatException("proof bundle 'extra' line is empty");
      }
      long index = Long.parseLong(indexText);
      List<Bytes> proof = new ArrayList<>();
      for (int i = at + 1; i < lines.length; i++) {
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
   * {@link #verify(String, Collection)} for the log named like the key that signed the checkpoint
   * (the C2SP convention, and {@link CheckpointSigner#generate}'s): the checkpoint's origin must
   * equal the name of a trusted key whose signature on it verifies. A log whose key is named
   * otherwise (a rotated key, a shared key) needs {@link #verify(String, Collection)}.
   *
   * @throws AuditFormatException naming the check that failed
   */
  public LoggedEvent verify(Collection<CheckpointKey> trustedKeys) throws AuditFormatException {
    String origin = checkpoint.checkpoint().origin();
    List<CheckpointKey> named = trustedKeys.stream().filter(k -> k.name().equals(origin)).toList();
    if (named.isEmpty() || checkpoint.verifiedBy(named).isEmpty()) {
      throw new AuditFormatException("the checkpoint of '" + origin + "' is not signed by a trusted key of that name;"
          + " give the expected origin to verify(origin, keys)");
    }
    return verify(origin, named);
  }

  /**
   * Checks the bundle with nothing but the log's origin and public keys: the checkpoint is of the
   * log {@code origin} (a key may sign several logs, so a valid proof from another log is
   * rejected), a trusted key signed it, the event is in its tree at {@link #index}, and the
   * event's own sequence number is that index.
   *
   * @return the verified event
   * @throws AuditFormatException naming the check that failed
   */
  public LoggedEvent verify(String origin, Collection<CheckpointKey> trustedKeys) throws AuditFormatException {
    Objects.requireNonNull(origin, "origin");
    if (!checkpoint.checkpoint().origin().equals(origin)) {
      throw new AuditFormatException("the proof is for the log '" + checkpoint.checkpoint().origin()
          + "', not '" + origin + "'");
    }
    if (checkpoint.verifiedBy(trustedKeys).isEmpty()) {
      throw new AuditFormatException("checkpoint is not signed by a trusted key");
    }
    if (event.isEmpty()) {
      throw new AuditFormatException("the bundle carries no event (no 'extra' line)");
    }
    Checkpoint cp = checkpoint.checkpoint();
    Bytes leaf = ByteAccess.wrap(Hashes.leaf(event.toByteArray()));
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
