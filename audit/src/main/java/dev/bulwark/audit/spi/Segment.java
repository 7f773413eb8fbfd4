package dev.bulwark.audit.spi;

/**
 * A contiguous run of events that retention removes as a whole.
 *
 * @param firstSeq first sequence number of the segment
 * @param lastSeq last sequence number, or {@code firstSeq - 1} while the segment is empty
 * @param sealed true once the writer has closed it (only sealed segments are ever pruned)
 * @param legalHold true while a legal hold keeps it (and everything after it) from retention
 */
public record Segment(long firstSeq, long lastSeq, boolean sealed, boolean legalHold) {
  public Segment {
    if (firstSeq < 0 || lastSeq < firstSeq - 1) {
      throw new IllegalArgumentException("bad segment bounds " + firstSeq + ".." + lastSeq);
    }
  }

  public long count() {
    return lastSeq - firstSeq + 1;
  }
}
