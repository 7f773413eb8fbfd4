package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import java.time.Instant;
import java.util.Objects;

/**
 * Acknowledgement of a durable append: the event is stored (after fsync or commit) under this
 * sequence number and will be covered by the next checkpoint.
 *
 * @param seq sequence number
 * @param recordedAt time the writer recorded it
 * @param leafHash RFC 6962 leaf hash of the canonical bytes
 * @param chainHash chain hash
 */
public record Appended(long seq, Instant recordedAt, Bytes leafHash, Bytes chainHash) {
  public Appended {
    Objects.requireNonNull(recordedAt, "recordedAt");
    Objects.requireNonNull(leafHash, "leafHash");
    Objects.requireNonNull(chainHash, "chainHash");
  }
}
