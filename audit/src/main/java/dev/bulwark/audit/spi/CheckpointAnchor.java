package dev.bulwark.audit.spi;

import dev.bulwark.audit.AuditStoreException;
import dev.bulwark.audit.SignedCheckpoint;
import java.util.Optional;

/**
 * Copies signed checkpoints somewhere the log's host cannot rewrite (another directory or
 * machine, a second database under other credentials, a SIEM). The verifier reads the latest
 * anchored checkpoint back to detect truncation and rollback of the store.
 *
 * <p>Implementations MUST be thread-safe. {@link #submit} throws {@link AuditStoreException}
 * when the copy failed; the log keeps running, counts the checkpoint as unanchored and reports
 * it in {@link dev.bulwark.audit.AuditLog#health()}. Write-only anchors (syslog) return empty
 * from {@link #latest}.
 */
public interface CheckpointAnchor {

  /** Durably copies {@code checkpoint} out of the host's reach. */
  void submit(SignedCheckpoint checkpoint);

  /**
   * The note text of the largest checkpoint anchored for {@code origin}, exactly as stored (a
   * damaged copy is returned as it is, and the verifier reports it), or empty.
   */
  Optional<String> latest(String origin);
}
