package dev.bulwark.audit.internal;

import dev.bulwark.audit.AuditHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The figures behind {@link AuditHealth}: what is stored, signed and anchored, and how old the
 * oldest event no anchored checkpoint covers is. Updated by the writer (under its lock) and by
 * the checkpointer thread (without it).
 *
 * <p>Thread-safe. Not part of the API.
 */
public final class TamperWindow {
  private long storedCheckpointSize;
  private long lastAnchoredSize;
  private Instant oldestUnanchoredAt;
  private String lastAnchorError;
  private Checkpointer.Cut latestCut;

  /** On open: the size of the newest checkpoint stored with the log (0 for none). */
  public synchronized void opened(long storedSize) {
    storedCheckpointSize = storedSize;
  }

  /** A batch recorded at {@code at} was stored. */
  public synchronized void recorded(Instant at) {
    if (oldestUnanchoredAt == null) {
      oldestUnanchoredAt = at;
    }
    if (latestCut != null && latestCut.firstAfterAt == null) {
      latestCut.firstAfterAt = at;
    }
  }

  /** A checkpoint was cut (the events after it are the next ones recorded). */
  public synchronized void cut(Checkpointer.Cut cut) {
    latestCut = cut;
  }

  /**
   * {@code cut} was signed and stored; {@code error} is why an anchor refused it (null when
   * every anchor took it), {@code anchored} whether the log has anchors at all.
   */
  public synchronized void published(Checkpointer.Cut cut, String error, boolean anchored) {
    long size = cut.checkpoint().size();
    storedCheckpointSize = Math.max(storedCheckpointSize, size);
    if (error == null && anchored && size >= lastAnchoredSize) {
      lastAnchoredSize = size;
      // Events after the cut are still unanchored; the oldest of them was recorded then.
      oldestUnanchoredAt = cut.firstAfterAt;
    }
    lastAnchorError = error;
  }

  /** Something failed that health() should show until the next publication. */
  public synchronized void error(String message) {
    lastAnchorError = message;
  }

  /** The figures for a log of {@code size} events at {@code now}. */
  public synchronized AuditHealth health(long size, Instant now) {
    long unanchored = Math.max(0, size - lastAnchoredSize);
    Duration age = unanchored == 0 || oldestUnanchoredAt == null ? Duration.ZERO
        : Duration.between(oldestUnanchoredAt, now);
    return new AuditHealth(size, storedCheckpointSize, lastAnchoredSize, unanchored, age,
        Optional.ofNullable(lastAnchorError));
  }
}
