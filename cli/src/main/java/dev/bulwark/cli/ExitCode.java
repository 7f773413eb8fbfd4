package dev.bulwark.cli;

/**
 * The CLI's exit statuses. Stable: scripts and monitoring depend on them (see cli/README.md).
 */
public final class ExitCode {
  /** Success; for {@code audit verify}, the log is intact. */
  public static final int OK = 0;
  /** A check failed: the log is not intact, a proof was rejected, or items failed to rewrap. */
  public static final int FINDINGS = 1;
  /** Bad command line (unknown option, missing or malformed argument). */
  public static final int USAGE = 2;
  /** I/O or configuration error: a missing file or directory, an unreachable database, a wrong key. */
  public static final int IO_OR_CONFIG = 3;
  /** An unexpected internal error (a bug: please report it with {@code --debug} output). */
  public static final int INTERNAL = 4;
  /** A purge safety rail refused the run; nothing was deleted (re-run with {@code --confirm}). */
  public static final int REFUSED = 5;

  private ExitCode() {}
}
