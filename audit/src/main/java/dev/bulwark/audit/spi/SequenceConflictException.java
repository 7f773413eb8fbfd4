package dev.bulwark.audit.spi;

import dev.bulwark.audit.AuditStoreException;

/**
 * An append carried sequence numbers that do not continue the stored log: another writer
 * appended first. Nothing of the batch was stored; the writer catches up and retries. This is
 * the fork guard: two writers can never both store sequence number {@code n}.
 */
public final class SequenceConflictException extends AuditStoreException {
  private static final long serialVersionUID = 1L;

  public SequenceConflictException(String message) {
    super(message);
  }
}
