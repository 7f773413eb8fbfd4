package dev.bulwark.lifecycle.spi;

import java.sql.Connection;
import java.util.List;
import java.util.Optional;

/**
 * The host's callbacks for the {@code ANONYMISE} and {@code ARCHIVE} expiry actions.
 *
 * <p>Both are called inside the purge batch's transaction, after the rows are locked and the
 * holds checked, and before the store deletes (archive) or clears the deadline of (anonymise)
 * the rows. An implementation MUST be idempotent: if the process dies before the batch commits,
 * the same records are handed over again on the next run. It MUST be thread-safe when several
 * purgers run. An exception aborts the batch: nothing is deleted, and the exception reaches the
 * runner wrapped in a {@link dev.bulwark.lifecycle.LifecycleException}.
 *
 * <p>A store on a database (the JDBC store) passes the batch's own connection: the handler MUST
 * make its changes to the batch's rows through it (same transaction, so they commit or roll back
 * with the batch), MUST NOT commit, roll back or close it, and MUST NOT touch those rows through
 * another connection, which would wait for the batch's row locks. Override the two-argument
 * methods to receive it; the one-argument ones suit stores without a database.
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

  /**
   * Anonymises the records inside the batch's transaction.
   *
   * @param transaction the batch's connection (present for a database store); use it, do not commit it
   */
  default void anonymise(List<RecordState> records, Optional<Connection> transaction) throws Exception {
    anonymise(records);
  }

  /**
   * Archives the records inside the batch's transaction.
   *
   * @param transaction the batch's connection (present for a database store); use it, do not commit it
   */
  default void archive(List<RecordState> records, Optional<Connection> transaction) throws Exception {
    archive(records);
  }
}
