package dev.bulwark.audit;

import dev.bulwark.common.StoreException;

/**
 * An audit store or anchor could not do what was asked: an I/O error, a full disk, a lost
 * connection, a directory another process holds. This is the one exception for infrastructure
 * failures of audit stores, unchecked, with the underlying failure as its cause. Whatever the
 * store held before the call is still intact.
 *
 * <p>It is not a verdict about the log's contents: a damaged or tampered log is a finding of
 * {@link AuditVerifier}, and the writer refuses such a log with an {@link AuditException}.
 * Cryptographic verdicts (a signature that does not verify) are never reported this way. Not
 * final: {@link dev.bulwark.audit.spi.SequenceConflictException} is the one subclass, the fork
 * guard's signal to the writer.
 */
public class AuditStoreException extends StoreException {
  private static final long serialVersionUID = 1L;

  public AuditStoreException(String message) {
    super(message);
  }

  public AuditStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
