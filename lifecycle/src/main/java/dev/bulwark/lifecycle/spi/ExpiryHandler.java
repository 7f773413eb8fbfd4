package dev.bulwark.lifecycle.spi;

import java.util.List;

/**
 * The host's callbacks for the {@code ANONYMISE} and {@code ARCHIVE} expiry actions.
 *
 * <p>Both are called inside the purge batch's transaction, after the rows are locked and the
 * holds checked, and before the store deletes (archive) or clears the deadline of (anonymise)
 * the rows. An implementation MUST be idempotent: if the process dies before the batch commits,
 * the same records are handed over again on the next run. It MUST be thread-safe when several
 * purgers run. An exception aborts the batch: nothing is deleted, and the exception reaches the
 * runner wrapped in a {@link dev.bulwark.lifecycle.LifecycleException}.
 */
public interface ExpiryHandler {

  /** A handler for hosts that only purge: any anonymise or archive request fails closed. */
  ExpiryHandler NONE = new ExpiryHandler() {};

  /** Rewrites the records so they no longer identify anyone; they stay in the table. */
  default void anonymise(List<RecordState> records) throws Exception {
    throw new UnsupportedOperationException("no ExpiryHandler configured for ANONYMISE");
  }

  /** Copies the records to the host's archive; they are deleted when this returns. */
  default void archive(List<RecordState> records) throws Exception {
    throw new UnsupportedOperationException("no ExpiryHandler configured for ARCHIVE");
  }
}
