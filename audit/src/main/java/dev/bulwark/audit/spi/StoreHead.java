package dev.bulwark.audit.spi;

import dev.bulwark.common.Bytes;
import java.util.Objects;

/**
 * The end of a stored log: the next sequence number to assign and the chain hash of the last
 * event (or of the base when the log is empty after its base).
 *
 * @param nextSeq sequence number the next appended event must carry
 * @param lastChainHash chain hash of event {@code nextSeq - 1}
 * @param base where the log starts (after retention)
 */
public record StoreHead(long nextSeq, Bytes lastChainHash, PruneBase base) {
  public StoreHead {
    Objects.requireNonNull(lastChainHash, "lastChainHash");
    Objects.requireNonNull(base, "base");
    if (nextSeq < base.firstSeq()) {
      throw new IllegalArgumentException("nextSeq below the base");
    }
  }
}
