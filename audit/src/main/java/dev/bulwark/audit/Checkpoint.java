package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * The body of a checkpoint in C2SP tlog-checkpoint form: origin, tree size, base64 RFC 6962 root,
 * then Bulwark's extension lines:
 *
 * <pre>
 * example.com/audit/tenant-42
 * 1048576
 * &lt;base64 Merkle root&gt;
 * chain &lt;base64 chain hash of event size-1&gt;
 * minindex &lt;first sequence number still stored&gt;
 * time &lt;unix seconds&gt;
 * </pre>
 *
 * Witnesses that know only tlog-checkpoint check the first three lines; Bulwark's verifier
 * also checks the chain head and uses {@code minindex} to tell retention from head deletion.
 * A checkpoint parsed from another log (a plain three-line tlog-checkpoint) has no chain head
 * and no time ({@code null}) and minindex 0; Bulwark's writer and verifier never accept such a
 * checkpoint for their own log ({@link #isBulwark()}).
 *
 * @param origin log name (unique, e.g. {@code example.com/audit/global})
 * @param size number of events covered
 * @param root RFC 6962 Merkle tree hash of events [0, size)
 * @param chainHead chain hash of event {@code size - 1} (32 zero bytes for an empty log); null
 *     when the checkpoint has no {@code chain} line
 * @param minIndex first sequence number the log still stores (retention lower bound); 0 when
 *     the checkpoint has no {@code minindex} line
 * @param time when the checkpoint was made (seconds precision); null when it has no {@code time} line
 */
public record Checkpoint(String origin, long size, Bytes root, Bytes chainHead, long minIndex, Instant time) {

  public Checkpoint {
    Objects.requireNonNull(origin, "origin");
    if (origin.isEmpty() || origin.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException("origin must be non-empty printable text");
    }
    if (size < 0 || minIndex < 0 || minIndex > size) {
      throw new IllegalArgumentException("need 0 <= minIndex <= size");
    }
    if (root.length() != 32 || (chainHead != null && chainHead.length() != 32)) {
      throw new IllegalArgumentException("root and chain head are 32 bytes");
    }
    time = time == null ? null : Instant.ofEpochSecond(time.getEpochSecond());
  }

  /** Whether this checkpoint carries Bulwark's chain and time lines (every checkpoint Bulwark makes does). */
  public boolean isBulwark() {
    return chainHead != null && time != null;
  }

  /** The note body that signatures cover, ending with a newline. */
  public String body() {
    String head = origin + "\n" + size + "\n" + root.base64() + "\n";
    if (!isBulwark()) {
      return head + (chainHead != null ? "chain " + chainHead.base64() + "\n" : "")
          + (minIndex != 0 ? "minindex " + minIndex + "\n" : "")
          + (time != null ? "time " + time.getEpochSecond() + "\n" : "");
    }
    return head
        + "chain " + chainHead.base64() + "\n"
        + "minindex " + minIndex + "\n"
        + "time " + time.getEpochSecond() + "\n";
  }

  byte[] bodyBytes() {
    return body().getBytes(StandardCharsets.UTF_8);
  }
}
