package dev.bulwark.audit;

/**
 * What a retention run removed.
 *
 * @param fromSeq first removed sequence number
 * @param cutSeq first sequence number kept (the new minimum index)
 * @param segments number of whole segments removed
 * @param receiptSeq sequence number of the {@code audit_log_pruned} receipt event
 */
public record PruneResult(long fromSeq, long cutSeq, int segments, long receiptSeq) {
  public long removedEvents() {
    return cutSeq - fromSeq;
  }
}
