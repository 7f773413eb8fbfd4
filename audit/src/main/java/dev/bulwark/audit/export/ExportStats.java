package dev.bulwark.audit.export;

/**
 * What an exporter has done since it was built.
 *
 * @param next the cursor: sequence number of the next event to deliver
 * @param delivered events the sink took (a re-sent event counts again)
 * @param dropped events skipped without delivery (lag beyond the host's limit, or pruned before
 *     they were exported); each skip is also an audit event when the exporter has a log to record it
 * @param failedAttempts batches the sink or the store failed
 * @param lastError message of the newest failure, or null
 */
public record ExportStats(long next, long delivered, long dropped, long failedAttempts, String lastError) {}
