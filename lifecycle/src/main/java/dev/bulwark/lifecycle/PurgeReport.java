package dev.bulwark.lifecycle;

import dev.bulwark.lifecycle.spi.RecordState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a purge run did, or (for a dry run) would do.
 *
 * @param runId the run's id, copied into its evidence
 * @param dryRun true when nothing was deleted
 * @param at the time the run judged records due against
 * @param counts per class: rows processed (or, for a dry run, due)
 * @param sample for a dry run, the first due records of each class with their deadlines
 * @param batches purge transactions committed
 * @param maxBatchTime the longest transaction, measured with the JVM's monotonic timer (a metric only)
 * @param guardWarning for a dry run, the safety rail the real run would trip, or empty text
 */
public record PurgeReport(
    String runId,
    boolean dryRun,
    Instant at,
    Map<DataClass, Long> counts,
    List<RecordState> sample,
    int batches,
    Duration maxBatchTime,
    String guardWarning) {

  public PurgeReport {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(at, "at");
    counts = Map.copyOf(counts);
    sample = List.copyOf(sample);
    Objects.requireNonNull(maxBatchTime, "maxBatchTime");
    Objects.requireNonNull(guardWarning, "guardWarning");
  }

  public long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }
}
