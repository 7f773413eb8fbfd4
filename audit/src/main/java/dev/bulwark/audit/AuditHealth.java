package dev.bulwark.audit;

import java.time.Duration;
import java.util.Optional;

/**
 * The tamper-window signal: how much of the log an attacker on the host could still drop without
 * the verifier noticing. Alert when {@code unanchoredEvents} or {@code unanchoredAge} grow.
 *
 * @param size events in the log
 * @param lastCheckpointSize size of the last signed checkpoint (0 if none)
 * @param lastAnchoredSize size of the last checkpoint every anchor accepted (0 if none)
 * @param unanchoredEvents events not covered by an anchored checkpoint
 * @param unanchoredAge age of the oldest unanchored event (zero when none)
 * @param lastAnchorError message of the last anchor failure, if the last submission failed
 */
public record AuditHealth(long size, long lastCheckpointSize, long lastAnchoredSize, long unanchoredEvents,
    Duration unanchoredAge, Optional<String> lastAnchorError) {}
