package dev.bulwark.audit.spi;

import dev.bulwark.common.Bytes;
import java.util.List;
import java.util.Objects;

/**
 * Where a log starts after retention removed its oldest segments: the first remaining sequence
 * number, the chain hash of the last removed event and the RFC 6962 compact range of the removed
 * leaves (one hash per set bit of {@code firstSeq}, largest subtree first). A store keeps this
 * small record so the rest of the log keeps verifying; the verifier checks it against the signed
 * prune receipt inside the log, so a store cannot forge it.
 *
 * @param firstSeq first remaining sequence number (0 for a log never pruned)
 * @param chainBefore chain hash of event {@code firstSeq - 1}; 32 zero bytes when firstSeq is 0
 * @param compactRange compact range of leaves [0, firstSeq)
 */
public record PruneBase(long firstSeq, Bytes chainBefore, List<Bytes> compactRange) {

  public static final PruneBase GENESIS = new PruneBase(0, Bytes.of(new byte[32]), List.of());

  public PruneBase {
    if (firstSeq < 0 || firstSeq > StoredEvent.MAX_SEQ) {
      throw new IllegalArgumentException("firstSeq outside [0, StoredEvent.MAX_SEQ]");
    }
    Objects.requireNonNull(chainBefore, "chainBefore");
    if (chainBefore.length() != 32) {
      throw new IllegalArgumentException("chainBefore is 32 bytes");
    }
    compactRange = List.copyOf(compactRange);
    if (compactRange.size() != Long.bitCount(firstSeq)) {
      throw new IllegalArgumentException("compact range of " + firstSeq + " has " + Long.bitCount(firstSeq) + " hashes");
    }
    for (Bytes b : compactRange) {
      if (b.length() != 32) {
        throw new IllegalArgumentException("compact range hashes are 32 bytes");
      }
    }
  }

  /** Text form: {@code firstSeq chainBefore-base64 [hash-base64 ...]}, one line. */
  public String toText() {
    StringBuilder sb = new StringBuilder().append(firstSeq).append(' ').append(chainBefore.base64());
    for (Bytes b : compactRange) {
      sb.append(' ').append(b.base64());
    }
    return sb.toString();
  }

  /**
   * Parses {@link #toText()} (optionally followed by one newline), strictly: a canonical decimal
   * {@code firstSeq}, canonical base64 hashes, single spaces.
   *
   * @throws IllegalArgumentException if {@code text} is not exactly that
   */
  public static PruneBase fromText(String text) {
    java.util.Objects.requireNonNull(text, "text");
    String line = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    String[] parts = line.split(" ", -1);
    if (parts.length < 2 || parts.length > 66 || !parts[0].matches("0|[1-9][0-9]{0,18}")) {
      throw new IllegalArgumentException("malformed prune base");
    }
    List<Bytes> range = new java.util.ArrayList<>();
    for (int i = 2; i < parts.length; i++) {
      range.add(Bytes.fromBase64(parts[i]));
    }
    long firstSeq;
    try {
      firstSeq = Long.parseLong(parts[0]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("prune base sequence number out of range", e);
    }
    return new PruneBase(firstSeq, Bytes.fromBase64(parts[1]), range);
  }
}
