package dev.bulwark.audit.export;

import java.io.IOException;

/**
 * The exporter's position: the sequence number of the next event to deliver. The exporter commits
 * a new position only after the sink took every event before it, so after a crash or an outage it
 * resumes where delivery stopped (events after the last commit are sent again: at least once).
 *
 * <p>Implementations MUST make {@link #commit} durable before returning (a file cursor forces
 * its file) and MUST be safe for one writer thread with concurrent readers.
 */
public interface ExportCursor {

  /** The next sequence number to deliver. */
  long next() throws IOException;

  /** Durably records that every event before {@code next} was delivered. */
  void commit(long next) throws IOException;

  /** A cursor that lives only as long as the process (for the CLI and tests). */
  static ExportCursor inMemory(long start) {
    if (start < 0) {
      throw new IllegalArgumentException("start must be >= 0");
    }
    return new ExportCursor() {
      private volatile long next = start;

      @Override
      public long next() {
        return next;
      }

      @Override
      public void commit(long n) {
        next = n;
      }
    };
  }
}
